"""SLA clocks: breach detection and escalation, run by beat every second."""

from __future__ import annotations

from services.sla.breaches import detect_breaches, escalate
from workers.celery_app import celery_app


@celery_app.task(name="sla.tick", ignore_result=True, expires=5)
def tick() -> int:
    marked = detect_breaches()
    escalate()
    return len(marked)
