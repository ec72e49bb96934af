"""Nightly retraining of the price-band model with the platform's closed deals."""

from __future__ import annotations

import logging

import services.models  # noqa: F401  (every table known to the ORM)
from services.db import system_session
from services.orders.deals import closed_deals
from services.pricing.deals import deals_from_closed
from services.pricing.model import retrain
from workers.celery_app import celery_app

log = logging.getLogger("yantra.pricing")


@celery_app.task(name="pricing.retrain", ignore_result=True, time_limit=600)
def retrain_price_band() -> int:
    """Train on generated history plus every closed deal; web processes pick the new model
    up on their next tip. Returns how many platform deal lines were used."""
    with system_session() as db:
        rows = deals_from_closed(closed_deals(db))
    retrain(rows, progress=lambda share, step: log.info("retraining %.0f%%: %s", 100 * share, step))
    log.info("price band retrained with %d closed deal lines", len(rows))
    return len(rows)
