"""SMS: queued in the message log, sent through an HTTP gateway, retried with backoff.

With SMS_API_URL set, an SMS is `POST {SMS_API_URL}` with JSON {"to", "message",
"sender"} and SMS_API_KEY as a bearer token, sent by the workers right after the
transaction that queued it commits (and swept again every few seconds); a refused or
unreachable send is tried again after 15 s, 1 min, 5 min, 30 min and 2 h, then marked
failed with its last error. With no SMS_API_URL the SMS is recorded as sent at once, so a
local run works offline, as WhatsApp and e-mail do.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from services.columns import utcnow
from services.common.tasks import send_task
from services.db import system_session
from services.identity.phones import normalise_phone
from services.notifications.models import NotificationMessage
from services.settings import get_settings

log = logging.getLogger("yantra.notifications")

SEND_TASK = "notifications.send_sms"
BACKOFF_SECONDS = (15, 60, 300, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
MAX_TEXT = 480  # three SMS parts
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_PENDING = "sms_pending_sends"


def sms_configured() -> bool:
    """Whether SMS leave the machine (an SMS gateway is configured)."""
    return bool(get_settings().sms_api_url)


def queue_sms(
    db: Session,
    tenant_id: uuid.UUID,
    to_phone: str,
    body: str,
    kind: str,
    *,
    ticket_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Put an SMS of `body` for `to_phone` in the message log (channel sms) and have the
    workers send it once the caller commits; returns its id. Raises Invalid("to_phone")
    for a number that is not a phone number."""
    phone, now = normalise_phone(to_phone, "to_phone"), utcnow()
    offline = not sms_configured()
    row = {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "kind": kind[:40],
        "channel": "sms",
        "language": "en",
        "recipient": phone,
        "template": kind[:60],
        "body": body[:MAX_TEXT],
        "status": "sent" if offline else "queued",
        "attempts": 1 if offline else 0,
        "next_attempt_at": None if offline else now,
        "ticket_id": ticket_id,
        "created_at": now,
        "updated_at": now,
    }
    message_id = db.execute(
        insert(NotificationMessage).values(row).returning(NotificationMessage.id)
    ).scalar_one()
    if not offline:
        _send_after_commit(db)
    return message_id


def _send_after_commit(db: Session) -> None:
    if not db.info.get(_PENDING):
        db.info[_PENDING] = True
        event.listen(db, "after_commit", _send_pending, once=True)
        event.listen(db, "after_rollback", _forget_pending, once=True)


def _send_pending(db: Session) -> None:
    db.info.pop(_PENDING, None)
    try:
        send_task(SEND_TASK)
    except Exception:  # the sweep sends queued SMS; the log keeps the row
        log.exception("sms: could not queue the sending; the sweep will")


def _forget_pending(db: Session) -> None:
    db.info.pop(_PENDING, None)


def deliver_sms(to: str, body: str) -> str:
    """Send one SMS through the gateway; returns '' when it took it, else the error."""
    settings = get_settings()
    key = settings.sms_api_key.get_secret_value() if settings.sms_api_key else ""
    try:
        response = httpx.post(
            settings.sms_api_url or "",
            json={"to": to, "message": body, "sender": settings.sms_sender},
            headers={"Authorization": f"Bearer {key}"},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return "" if response.is_success else f"HTTP {response.status_code}: {response.text[:300]}"


def send_due_sms(limit: int = 50) -> dict[str, int]:
    """Send the queued SMS that are due (with no SMS_API_URL, record them as sent); a
    failure is kept on the message with the next try scheduled, and after the last try
    the message is failed. Returns how many were sent, deferred and failed."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    with system_session() as db:
        due = db.execute(
            text(
                "SELECT id, recipient, body, attempts FROM notification_message "
                "WHERE channel = 'sms' AND status = 'queued' AND next_attempt_at <= now() "
                "ORDER BY next_attempt_at LIMIT :n FOR UPDATE SKIP LOCKED"
            ),
            {"n": limit},
        ).all()
        for row in due:
            attempts = row.attempts + 1
            error = deliver_sms(row.recipient, row.body) if sms_configured() else ""
            change = {"id": row.id, "attempts": attempts, "error": error, "next": None}
            if not error:
                change["status"] = "sent"
            elif attempts >= MAX_ATTEMPTS:
                change["status"] = "failed"
            else:
                change["status"] = "queued"
                wait = BACKOFF_SECONDS[attempts - 1]
                change["next"] = utcnow() + timedelta(seconds=wait)
            if error:
                log.warning("sms %s not sent (try %s): %s", row.id, attempts, error)
            db.execute(
                text(
                    "UPDATE notification_message SET status = :status, attempts = :attempts, "
                    "last_error = :error, next_attempt_at = :next, updated_at = now() "
                    "WHERE id = :id"
                ),
                change,
            )
            counts[{"queued": "retrying"}.get(change["status"], change["status"])] += 1
    return counts
