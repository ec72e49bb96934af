"""The Celery application of the workers. The broker, queues and routes come from
services/common/tasks.py, which the senders of work read too."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.signals import after_setup_logger, worker_process_init
from kombu import Queue

from services.common.logs import configure_json_logging
from services.common.tasks import broker_and_backend, queues, task_routes
from services.db import reset_engines
from services.settings import get_settings

broker, backend = broker_and_backend()
celery_app = Celery(
    "yantra",
    broker=broker,
    backend=backend,
    include=[
        "workers.events",
        "workers.devices",
        "workers.sla",
        "workers.dispatch",
        "workers.rfq",
        "workers.pricing",
        "workers.notifications",
        "workers.whatsapp",
        "workers.lab",
        "workers.telemetry_predict",
        "workers.contracts",
    ],
)
celery_app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    timezone="UTC",
    task_default_queue=queues()[0],
    task_queues=[Queue(name) for name in queues()],
    task_routes=task_routes(),
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "relay-outbox": {"task": "events.relay", "schedule": 1.0},
        "sla-tick": {"task": "sla.tick", "schedule": 1.0},
        "rfq-expiry-sweep": {"task": "rfq.sweep_expired", "schedule": 60.0},
        "email-outbox": {"task": "notifications.send_emails", "schedule": 5.0},
        "sms-outbox": {"task": "notifications.send_sms", "schedule": 5.0},
        "whatsapp-sweep": {"task": "whatsapp.sweep", "schedule": 60.0},
        "lab-analyzer-health": {"task": "lab.health", "schedule": 60.0},
        "lab-review": {"task": "lab.review", "schedule": 5.0},
        # the failure model scores devices with recent telemetry (hourly windows)
        "telemetry-predict": {"task": "telemetry.predict_sweep", "schedule": 900.0},
        # 02:30 IST: the price-band model learns from the day's closed deals
        "pricing-retrain": {"task": "pricing.retrain", "schedule": crontab(hour=21, minute=0)},
        "contract-renewal-alerts": {"task": "contracts.renewal_alerts", "schedule": 3600.0},
        "contract-preventive-visits": {"task": "contracts.plan_preventive", "schedule": 3600.0},
    },
)


@after_setup_logger.connect
def _json_logs(**_kwargs) -> None:
    configure_json_logging(get_settings().log_level)


@worker_process_init.connect
def _fresh_engines(**_kwargs) -> None:
    # A forked worker process must not share the parent's pooled connections.
    reset_engines()
