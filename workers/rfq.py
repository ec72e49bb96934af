"""RFQ expiry: a task at each RFQ's `expires_at`, and a periodic sweep behind it."""

from __future__ import annotations

import logging
import uuid

from services.rfq.expiry import expire_due
from workers.celery_app import celery_app

log = logging.getLogger("yantra.rfq")


@celery_app.task(name="rfq.expire", ignore_result=True)
def expire(rfq_id: str) -> int:
    """Expire one RFQ whose time has come (scheduled with an ETA when it opened). Does
    nothing when it was cancelled or already expired by the sweep."""
    done = expire_due(uuid.UUID(rfq_id), limit=1)
    if done:
        log.info("RFQ-%s expired with %s quote(s)", done[0]["number"], done[0]["quotesExpired"])
    return len(done)


@celery_app.task(name="rfq.sweep_expired", ignore_result=True, expires=55)
def sweep_expired() -> int:
    """Expire every RFQ past its time that the scheduled task missed (a worker was down)."""
    return len(expire_due())
