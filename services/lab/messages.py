"""The message store as the lab reads it: search, one message laid out, reprocess."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.common.roles import LAB_ADMINS
from services.errors import Invalid, NotFound
from services.lab.layout import layout
from services.lab.models import MESSAGE_STATES, LabChannel, LabMessage

MAX_PAGE = 200
MAX_REPROCESS = 1000


def search_messages(
    db: Session,
    control_id: str | None = None,
    channel_id: uuid.UUID | None = None,
    state: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The lab's messages, newest first, filtered by control id (exact), channel, state and
    time received (`since` inclusive, `until` exclusive). Raises Invalid for an unknown
    state or a page over 200."""
    if state and state not in MESSAGE_STATES:
        raise Invalid("state", f"must be one of {', '.join(MESSAGE_STATES)}")
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid("limit", f"must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise Invalid("offset", "must not be negative")
    query = select(LabMessage)
    if control_id:
        query = query.where(LabMessage.control_id == control_id)
    if channel_id:
        query = query.where(LabMessage.channel_id == channel_id)
    if state:
        query = query.where(LabMessage.state == state)
    if since:
        query = query.where(LabMessage.received_at >= since)
    if until:
        query = query.where(LabMessage.received_at < until)
    rows = db.exec(
        query.order_by(LabMessage.received_at.desc(), LabMessage.id).offset(offset).limit(limit + 1)
    ).all()
    names = _channel_names(db)
    return {
        "messages": [message_json(m, names) for m in rows[:limit]],
        "hasMore": len(rows) > limit,
    }


def _channel_names(db: Session) -> dict[uuid.UUID, str]:
    return {c.id: c.name for c in db.exec(select(LabChannel)).all()}


def message_json(message: LabMessage, names: dict | None = None) -> dict[str, Any]:
    names = names or {}
    return {
        "id": str(message.id),
        "controlId": message.control_id,
        "channelId": str(message.channel_id) if message.channel_id else None,
        "channel": names.get(message.channel_id),
        "protocol": message.protocol,
        "sendingApplication": message.sending_application,
        "sendingFacility": message.sending_facility,
        "messageType": message.message_type,
        "version": message.version,
        "state": message.state,
        "error": message.error,
        "ackSent": message.ack_code,
        "duplicates": message.duplicate_count,
        "resultCount": message.result_count
        if message.message_type.startswith(("ORU", "ASTM"))
        else None,
        "attempts": message.attempts,
        "receivedAt": message.received_at.isoformat(),
        "processedAt": message.processed_at.isoformat() if message.processed_at else None,
    }


def get_message(db: Session, message_id: uuid.UUID) -> dict[str, Any]:
    """One message with its raw text and its segments laid out with field names.
    NotFound when it is not the lab's."""
    message = db.get(LabMessage, message_id)
    if message is None:
        raise NotFound("no such message in your laboratory")
    return message_json(message, _channel_names(db)) | {
        "raw": message.raw,
        "segments": layout(message.raw, message.protocol, message.version),
    }


def reprocess(db: Session, actor: Actor, ids: list[uuid.UUID]) -> dict[str, Any]:
    """Puts the given messages back in the processor's queue (after a channel or test-code
    fix); results of a message processed again replace its earlier ones. Returns how many
    were queued and the ids not found in the lab. Raises Invalid for an empty or too long
    list, Forbidden outside LAB_ADMINS."""
    actor.require(*LAB_ADMINS)
    if not ids:
        raise Invalid("ids", "list at least one message id")
    if len(ids) > MAX_REPROCESS:
        raise Invalid("ids", f"at most {MAX_REPROCESS} messages at once")
    wanted = list(dict.fromkeys(ids))
    queued = list(
        db.execute(
            text(
                """
                UPDATE lab_message SET state = 'received', error = ''
                WHERE id = ANY(:ids) AND channel_id IS NOT NULL AND raw <> ''
                RETURNING id
                """
            ),
            {"ids": wanted},
        ).scalars()
    )
    if queued:
        db.execute(text("SELECT pg_notify('lab_message', '')"))
    done = {str(i) for i in queued}
    return {
        "queued": len(queued),
        "notQueued": [str(i) for i in wanted if str(i) not in done],
    }
