"""The Celery application: broker from REDIS_URL, else PostgreSQL through kombu's
SQLAlchemy transport, so `make run` needs no extra server."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.signals import after_setup_logger, worker_process_init
from kombu import Queue

from app.logs import configure_json_logging
from services.db import owner_url, reset_engines
from services.settings import get_settings


def _broker_and_backend() -> tuple[str, str]:
    settings = get_settings()
    settings.require_fit_for_production()
    if settings.redis_url:
        return settings.redis_url, settings.redis_url
    url = owner_url()  # postgresql+psycopg://...
    return f"sqla+{url}", f"db+{url}"


broker, backend = _broker_and_backend()
celery_app = Celery("yantra", broker=broker, backend=backend, include=["workers.events", "workers.devices", "workers.sla", "workers.dispatch",
                                                                    "workers.rfq", "workers.pricing"])
celery_app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    timezone="UTC",
    task_default_queue=get_settings().celery_queue,
    # SLA clocks get a queue of their own, so a burst of other work never delays a tick;
    # workers consume both.
    task_queues=[Queue(get_settings().celery_queue),
                 Queue(f"{get_settings().celery_queue}-sla")],
    task_routes={"sla.tick": {"queue": f"{get_settings().celery_queue}-sla"}},
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "relay-outbox": {"task": "events.relay", "schedule": 1.0},
        "sla-tick": {"task": "sla.tick", "schedule": 1.0},
        "rfq-expiry-sweep": {"task": "rfq.sweep_expired", "schedule": 60.0},
        # 02:30 IST: the price-band model learns from the day's closed deals
        "pricing-retrain": {"task": "pricing.retrain", "schedule": crontab(hour=21, minute=0)},
    },
)


@after_setup_logger.connect
def _json_logs(**_kwargs) -> None:
    configure_json_logging(get_settings().log_level)


@worker_process_init.connect
def _fresh_engines(**_kwargs) -> None:
    # A forked worker process must not share the parent's pooled connections.
    reset_engines()
