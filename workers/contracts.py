"""Contracts' periodic work: renewal alerts at 90, 60 and 30 days, and preventive visits
opened as planned jobs a fortnight before they are due."""

from __future__ import annotations

import logging

from services.contracts.renewals import send_renewal_alerts
from services.tickets.preventive import plan_preventive
from workers.celery_app import celery_app

log = logging.getLogger("yantra.contracts")


@celery_app.task(name="contracts.renewal_alerts", ignore_result=True, expires=3000)
def renewal_alerts() -> int:
    """Send the renewal alerts that have come due (each once)."""
    sent = send_renewal_alerts()
    if sent:
        log.info("renewal alerts sent for %s contract(s)", len(sent))
    return len(sent)


@celery_app.task(name="contracts.plan_preventive", ignore_result=True, expires=3000)
def preventive() -> int:
    """Open the preventive visits coming due as P4 tickets (each slot once)."""
    planned = plan_preventive()
    if planned:
        log.info("%s preventive visit(s) planned", len(planned))
    return len(planned)
