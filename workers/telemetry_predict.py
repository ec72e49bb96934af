"""The failure model's sweep: every few minutes, score each device that sent telemetry in
the last day, and open a preemptive ticket for a device at risk (one per device)."""

from __future__ import annotations

import logging

import services.models  # noqa: F401  (every table known to the ORM)
from services.telemetry.sweep import sweep
from workers.celery_app import celery_app

log = logging.getLogger("yantra.telemetry.predict")


@celery_app.task(name="telemetry.predict_sweep", ignore_result=True, time_limit=600)
def predict_sweep() -> dict[str, int]:
    """Score the active fleet; returns how many devices were scored, how many preemptive
    tickets were opened and how many devices could not be scored."""
    counts = sweep()
    log.info("failure prediction sweep: %s", counts)
    return counts
