"""Sending the e-mail and SMS outboxes: due messages are sent, failures retried with
backoff."""

from __future__ import annotations

import logging

from services.notifications.email import send_due_emails
from services.notifications.sms import SEND_TASK, send_due_sms
from workers.celery_app import celery_app

log = logging.getLogger("yantra.notifications")


@celery_app.task(name="notifications.send_emails", ignore_result=True, expires=30)
def send_emails() -> dict[str, int]:
    """Send every queued e-mail that is due; a failed one waits for its next try."""
    counts = send_due_emails()
    if any(counts.values()):
        log.info("e-mail outbox: %s", counts)
    return counts


@celery_app.task(name=SEND_TASK, ignore_result=True, expires=60)
def send_sms() -> dict[str, int]:
    """Send every queued SMS that is due (queued after each commit that adds one, and swept
    by beat for the retries)."""
    counts = send_due_sms()
    if any(counts.values()):
        log.info("sms outbox: %s", counts)
    return counts
