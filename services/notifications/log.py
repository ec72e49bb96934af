"""The message log: every notice an organisation sent on WhatsApp, e-mail or SMS, newest first,
with its status and send attempts. A WhatsApp notice shows the status of the WhatsApp
message that carries it (queued, sent, delivered, read or failed, as the Cloud API
reported), so a failed try and the retry that succeeded read on the same line."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.common.clock import ist_text
from services.common.roles import MESSAGE_LOG_READERS
from services.errors import Invalid

STATUSES = ("queued", "sent", "delivered", "read", "failed")
CHANNELS = ("whatsapp", "email", "sms")
MAX_PAGE = 100

_QUERY = """
SELECT m.id, m.kind, m.channel, m.language, m.recipient, m.template, m.subject, m.body,
       m.ticket_id, m.created_at, m.user_id, u.full_name AS user_name,
       coalesce(w.status, m.status) AS status,
       greatest(coalesce(w.attempts, 0), m.attempts) AS attempts,
       coalesce(nullif(w.last_error, ''), m.last_error) AS last_error,
       greatest(w.updated_at, m.updated_at) AS updated_at
  FROM notification_message m
  LEFT JOIN whatsapp_message w ON w.id = m.whatsapp_message_id
  LEFT JOIN users u ON u.id = m.user_id
 WHERE (CAST(:status AS text) IS NULL OR coalesce(w.status, m.status) = :status)
   AND (CAST(:channel AS text) IS NULL OR m.channel = :channel)
"""


def _view(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "kind": row.kind,
        "channel": row.channel,
        "language": row.language,
        "to": row.recipient,
        "toName": row.user_name or "",
        "template": row.template,
        "subject": row.subject,
        "body": row.body,
        "status": row.status,
        "attempts": int(row.attempts),
        "lastError": row.last_error or "",
        "ticketId": str(row.ticket_id) if row.ticket_id else "",
        "at": row.created_at.isoformat(),
        "atText": ist_text(row.created_at, "%d %b %H:%M IST"),
        "updatedAt": row.updated_at.isoformat() if row.updated_at else "",
    }


def message_log(
    db: Session,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    status: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """A page of the organisation's sent notices, newest first, with the total matching.
    Raises Forbidden (not an admin, service desk or dispatcher) or Invalid (limit outside 1
    to 100, offset below 0, unknown status or channel)."""
    actor.require(*MESSAGE_LOG_READERS)
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid("limit", f"must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise Invalid("offset", "must be 0 or more")
    if status and status not in STATUSES:
        raise Invalid("status", f"must be one of {', '.join(STATUSES)}")
    if channel and channel not in CHANNELS:
        raise Invalid("channel", f"must be one of {', '.join(CHANNELS)}")
    args = {"status": status or None, "channel": channel or None}
    total = db.execute(text(f"SELECT count(*) FROM ({_QUERY}) q"), args).scalar_one()
    rows = db.execute(
        text(_QUERY + " ORDER BY m.created_at DESC, m.id LIMIT :limit OFFSET :offset"),
        {**args, "limit": limit, "offset": offset},
    ).all()
    return {
        "total": int(total),
        "limit": limit,
        "offset": offset,
        "items": [_view(r) for r in rows],
    }
