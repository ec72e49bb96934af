"""Sending the e-mail outbox: due e-mails are sent, failures retried with backoff."""

from __future__ import annotations

import logging

from services.notifications.email import send_due_emails
from workers.celery_app import celery_app

log = logging.getLogger("yantra.notifications")


@celery_app.task(name="notifications.send_emails", ignore_result=True, expires=30)
def send_emails() -> dict[str, int]:
    """Send every queued e-mail that is due; a failed one waits for its next try."""
    counts = send_due_emails()
    if any(counts.values()):
        log.info("e-mail outbox: %s", counts)
    return counts
