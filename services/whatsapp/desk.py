"""The service desk's view of WhatsApp: every thread with its ticket, and replying from the
platform. A dispatcher who replies takes the thread over: automatic answers stop, and what
the customer writes keeps landing on the ticket. Threads are read through row-level
security: the desk sees those whose ticket it sees."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from services.actor import Actor
from services.common.roles import DISPATCHERS
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.tickets import service as tickets
from services.whatsapp.models import WhatsappConversation, WhatsappMessage
from services.whatsapp.outbound import MAX_TEXT, send_text

_THREADS = """
SELECT c.id, c.phone, c.state, c.intent, c.confidence, c.last_message_at, c.taken_over_by,
       c.ticket_id, t.number, t.status AS ticket_status, t.priority, s.name AS device,
       e.serial_number, f.name AS site,
       (SELECT count(*) FROM whatsapp_message m WHERE m.conversation_id = c.id) AS messages
  FROM whatsapp_conversation c
  LEFT JOIN ticket t ON t.id = c.ticket_id
  LEFT JOIN equipment e ON e.id = c.device_id
  LEFT JOIN sku s ON s.id = e.sku_id
  LEFT JOIN healthcare_facilities f ON f.id = e.facility_id
 ORDER BY c.last_message_at DESC
 LIMIT :limit OFFSET :offset
"""


def list_conversations(
    db: Session, actor: Actor, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The threads the caller may see, latest first, with ticket and device.
    Raises Forbidden outside the service desk."""
    actor.require(*DISPATCHERS)
    rows = db.execute(text(_THREADS), {"limit": min(max(limit, 1), 200), "offset": max(offset, 0)})
    return [
        {
            "id": str(r.id),
            "phone": r.phone,
            "state": r.state,
            "intent": r.intent,
            "confidence": round(r.confidence, 2) if r.confidence is not None else None,
            "lastMessageAt": r.last_message_at.isoformat(),
            "takenOver": r.taken_over_by is not None,
            "ticketId": str(r.ticket_id) if r.ticket_id else None,
            "ticketNumber": r.number,
            "ticketStatus": r.ticket_status,
            "priority": r.priority,
            "device": f"{r.device} (S/N {r.serial_number})" if r.device else None,
            "site": r.site,
            "messages": r.messages,
        }
        for r in rows.all()
    ]


def thread(db: Session, actor: Actor, conversation_id: uuid.UUID) -> list[dict[str, Any]]:
    """The messages of one thread, oldest first. Raises Forbidden or NotFound."""
    actor.require(*DISPATCHERS)
    if db.get(WhatsappConversation, conversation_id) is None:
        raise NotFound("No WhatsApp thread with that id that you can see")
    rows = db.exec(
        select(WhatsappMessage)
        .where(WhatsappMessage.conversation_id == conversation_id)
        .order_by(WhatsappMessage.created_at, WhatsappMessage.direction)
    ).all()
    return [
        {
            "id": str(m.id),
            "direction": m.direction,
            "kind": m.kind,
            "body": m.body,
            "status": m.status,
            "attempts": m.attempts,
            "error": m.last_error,
            "byDesk": m.sent_by is not None,
            "at": m.created_at.isoformat(),
        }
        for m in rows
    ]


def reply(db: Session, actor: Actor, conversation_id: uuid.UUID, body: str) -> uuid.UUID:
    """Send `body` to the thread's number as the desk, take the thread over (automatic
    answers stop) and note the reply on its ticket. Returns the message's id.
    Raises Forbidden, NotFound, Invalid("text") or Conflict (no ticket yet)."""
    actor.require(*DISPATCHERS)
    conv = db.get(WhatsappConversation, conversation_id)
    if conv is None:
        raise NotFound("No WhatsApp thread with that id that you can see")
    body = (body or "").strip()
    if not body or len(body) > MAX_TEXT:
        raise Invalid("text", f"write a reply of 1 to {MAX_TEXT} characters")
    if conv.ticket_id is None:
        raise Conflict("This thread has no ticket yet; it opens once the device is known")
    try:
        with db.begin_nested():
            db.execute(text("SELECT whatsapp_take_over(:c)"), {"c": conv.id})
    except DBAPIError as exc:
        raise Forbidden("Only the service desk of the thread's ticket may reply") from exc
    message_id = send_text(
        db,
        to_phone=conv.phone,
        text=body,
        tenant_id=actor.tenant_id,
        conversation_id=conv.id,
        sent_by=actor.user_id,
    )
    tickets.add_comment(db, actor, conv.ticket_id, f"WhatsApp reply to {conv.phone}: {body}")
    return message_id
