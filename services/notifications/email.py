"""E-mail notices: queued in the message log, sent by the workers, retried with backoff.

With SMTP_URL set (`smtp://user:password@host:587`, `smtps://…:465`; `?starttls=1` to
upgrade a plain connection) a queued e-mail is sent by the `notifications.send_emails`
task; a failed send is tried again after 15 s, 1 min, 5 min, 30 min and 2 h, then marked
failed with its last error. With no SMTP_URL the e-mail is recorded as sent at once, so a
local run works offline. E-mails are plain text: what a user typed is never markup.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from services.columns import utcnow
from services.db import system_session
from services.notifications.models import NotificationMessage
from services.notifications.templates import Rendered

log = logging.getLogger("yantra.notifications")

BACKOFF_SECONDS = (15, 60, 300, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
SEND_TIMEOUT_SECONDS = 20


def smtp_url() -> str:
    """Where e-mail goes: SMTP_URL, or '' to record e-mails as sent without sending."""
    return os.environ.get("SMTP_URL", "").strip()


def sender_address() -> str:
    return os.environ.get("EMAIL_FROM", "Yantra <notices@yantra.local>")


def queue_email(
    db: Session,
    tenant_id: uuid.UUID,
    to: str,
    notice: Rendered,
    *,
    user_id: uuid.UUID | None = None,
    key: str | None = None,
    ticket_id: uuid.UUID | None = None,
) -> uuid.UUID | None:
    """Put `notice` for `to` in the e-mail outbox (the message log); returns its id, or
    None when a message with the same key already went to that address."""
    now = utcnow()
    offline = not smtp_url()
    row = {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "user_id": user_id,
        "kind": notice.kind,
        "channel": "email",
        "language": notice.language,
        "recipient": to[:254],
        "template": notice.kind,
        "subject": notice.title[:300],
        "body": notice.body,
        "status": "sent" if offline else "queued",
        "attempts": 1 if offline else 0,
        "next_attempt_at": None if offline else now,
        "ticket_id": ticket_id,
        "dedupe_key": key[:200] if key else None,
        "created_at": now,
        "updated_at": now,
    }
    stmt = insert(NotificationMessage).values(row).on_conflict_do_nothing()
    return db.execute(stmt.returning(NotificationMessage.id)).scalar()


def deliver_email(to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through SMTP_URL; raises OSError or SMTPException when
    the server refuses it or cannot be reached."""
    url = urlsplit(smtp_url())
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender_address(), to, subject
    message.set_content(body)
    secure = url.scheme == "smtps"
    client_type = smtplib.SMTP_SSL if secure else smtplib.SMTP
    port = url.port or (465 if secure else 25)
    with client_type(url.hostname or "localhost", port, timeout=SEND_TIMEOUT_SECONDS) as smtp:
        if not secure and parse_qs(url.query).get("starttls") == ["1"]:
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)


def _due(db: Session, limit: int) -> list:
    return db.execute(
        text(
            "SELECT id, recipient, subject, body, attempts FROM notification_message "
            "WHERE channel = 'email' AND status = 'queued' AND next_attempt_at <= now() "
            "ORDER BY next_attempt_at LIMIT :n FOR UPDATE SKIP LOCKED"
        ),
        {"n": limit},
    ).all()


def send_due_emails(limit: int = 50) -> dict[str, int]:
    """Send the queued e-mails that are due (with no SMTP_URL, record them as sent); a
    failure is kept on the message with the next try scheduled, and after the last try
    the message is failed. Returns how many were sent, deferred and failed."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    with system_session() as db:
        for row in _due(db, limit):
            attempts = row.attempts + 1
            change = {"id": row.id, "attempts": attempts, "error": "", "next": None}
            try:
                if smtp_url():
                    deliver_email(row.recipient, row.subject, row.body)
                change["status"] = "sent"
            except (OSError, smtplib.SMTPException) as exc:
                change["error"] = f"{type(exc).__name__}: {exc}"[:500]
                if attempts >= MAX_ATTEMPTS:
                    change["status"] = "failed"
                else:
                    change["status"] = "queued"
                    wait = BACKOFF_SECONDS[attempts - 1]
                    change["next"] = utcnow() + timedelta(seconds=wait)
                log.warning("e-mail %s not sent (try %s): %s", row.id, attempts, change["error"])
            db.execute(
                text(
                    "UPDATE notification_message SET status = :status, attempts = :attempts, "
                    "last_error = :error, next_attempt_at = :next, updated_at = now() "
                    "WHERE id = :id"
                ),
                change,
            )
            counts["retrying" if change["status"] == "queued" else str(change["status"])] += 1
    return counts
