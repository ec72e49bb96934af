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
    due = [str(d) for d in outbox.lease_due()]
    for start in range(0, len(due), BATCH):
        deliver.delay(due[start : start + BATCH])
    return len(due)


BATCH = 25


@celery_app.task(name="events.deliver", ignore_result=True)
def deliver(delivery_ids: list[str]) -> list[str]:
    """Run a few deliveries; each is recorded on its own, so one failure stops no other."""
    return [outbox.deliver(uuid.UUID(d), subscribers()) for d in delivery_ids]
