"""Domain logic of Yantra: plain Python over SQLModel sessions (no Reflex, FastAPI or Celery)."""
