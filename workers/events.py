"""Outbox relay and delivery tasks."""

from __future__ import annotations

import uuid

from services.events import service as outbox
from services.events.registry import load_modules, subscribers
from services.settings import get_settings
from workers.celery_app import celery_app

load_modules(get_settings().event_subscriber_modules)


@celery_app.task(name="events.relay", ignore_result=True)
def relay() -> int:
    """Fan new events out and send each due delivery to a worker."""
    outbox.fan_out(subscribers())
    due = outbox.lease_due()
    for delivery_id in due:
        deliver.delay(str(delivery_id))
    return len(due)


@celery_app.task(name="events.deliver", ignore_result=True)
def deliver(delivery_id: str) -> str:
    return outbox.deliver(uuid.UUID(delivery_id), subscribers())
