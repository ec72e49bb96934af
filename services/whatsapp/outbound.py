"""Sending WhatsApp messages: the one way any domain talks to a number.

Each function writes a row of the message log in the caller's transaction and returns its
id; delivery happens after the transaction commits (a Celery task by name), so a message
exists exactly when the change that caused it does. With no WHATSAPP_API_URL set the
message is recorded as sent at once, so a local run works offline.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from services.columns import utcnow
from services.common.tasks import send_task
from services.errors import Invalid
from services.identity.phones import normalise_phone, wa_id
from services.settings import get_settings
from services.whatsapp.models import WhatsappMessage

log = logging.getLogger("yantra.whatsapp")

DELIVER_TASK = "whatsapp.deliver"
_PENDING = "whatsapp_pending_sends"
MAX_TEXT = 4096


def send_text(
    db: Session,
    *,
    to_phone: str,
    text: str,
    tenant_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    sent_by: uuid.UUID | None = None,
) -> uuid.UUID:
    """Queue a plain text message to `to_phone`; returns its message-log id.
    Raises Invalid("to_phone") for a bad number, Invalid("text") for empty or too long text."""
    body = (text or "").strip()
    if not body or len(body) > MAX_TEXT:
        raise Invalid("text", f"must be 1 to {MAX_TEXT} characters")
    content = {"type": "text", "text": {"preview_url": False, "body": body}}
    return _queue(db, to_phone, "text", body, content, tenant_id, user_id, conversation_id, sent_by)


def send_template(
    db: Session,
    *,
    to_phone: str,
    template: str,
    language: str,
    params: list[str] | dict[str, str] | None,
    tenant_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Queue an approved template message (`template` in `language`, e.g. "hi") with its body
    parameters, positional (list) or named (dict); returns its message-log id.
    Raises Invalid for a bad number, template name or language."""
    if not template or not template.replace("_", "").isalnum():
        raise Invalid("template", "must be a template name of letters, digits and _")
    if not language or len(language) > 10:
        raise Invalid("language", "must be a language code such as en or hi")
    if isinstance(params, dict):
        parameters = [
            {"type": "text", "parameter_name": str(k), "text": str(v)} for k, v in params.items()
        ]
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
    else:
        parameters = [{"type": "text", "text": str(v)} for v in params or []]
        shown = ", ".join(str(v) for v in params or [])
    content = {
        "type": "template",
        "template": {
            "name": template,
            "language": {"code": language},
            "components": [{"type": "body", "parameters": parameters}] if parameters else [],
        },
    }
    body = f"[{template}/{language}] {shown}".strip()
    return _queue(db, to_phone, "template", body, content, tenant_id, user_id, None, None)


def send_list(
    db: Session,
    *,
    to_phone: str,
    text: str,
    button: str,
    rows: list[tuple[str, str, str]],
    tenant_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    section: str = "Choices",
) -> uuid.UUID:
    """Queue an interactive list (rows of id, title, description; at most 10) under `text`,
    its button and section titled in the reader's words; returns its message-log id."""
    if not rows or len(rows) > 10:
        raise Invalid("rows", "a list offers 1 to 10 choices")
    content = {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": text[:1024]},
            "action": {
                "button": button[:20],
                "sections": [
                    {
                        "title": section[:24],
                        "rows": [
                            {"id": rid[:200], "title": title[:24], "description": desc[:72]}
                            for rid, title, desc in rows
                        ],
                    }
                ],
            },
        },
    }
    shown = text + "\n" + "\n".join(f"{i}. {t} {d}".strip() for i, (_, t, d) in enumerate(rows, 1))
    return _queue(
        db, to_phone, "interactive", shown, content, tenant_id, user_id, conversation_id, None
    )


def _queue(
    db: Session,
    to_phone: str,
    kind: str,
    body: str,
    content: dict[str, Any],
    tenant_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    conversation_id: uuid.UUID | None,
    sent_by: uuid.UUID | None,
) -> uuid.UUID:
    phone = normalise_phone(to_phone, "to_phone")
    if tenant_id is None and db.info.get("tenant_id"):
        tenant_id = uuid.UUID(str(db.info["tenant_id"]))
    payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id(phone)}
    payload.update(content)
    message = WhatsappMessage(
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        direction="out",
        phone=phone,
        kind=kind,
        body=body,
        payload=payload,
        status="queued",
        user_id=user_id,
        sent_by=sent_by,
    )
    if not get_settings().whatsapp_api_url:
        # Offline: nothing to deliver to, so the log records the message as sent.
        message.status = "sent"
        message.attempts = 1
        message.last_error = ""
        message.updated_at = utcnow()
    db.add(message)
    db.flush()
    if message.status == "queued":
        _deliver_after_commit(db, message.id)
    return message.id


def _deliver_after_commit(db: Session, message_id: uuid.UUID) -> None:
    pending = db.info.setdefault(_PENDING, [])
    if not pending:
        event.listen(db, "after_commit", _send_pending, once=True)
        event.listen(db, "after_rollback", _forget_pending, once=True)
    pending.append(message_id)


def _send_pending(db: Session) -> None:
    for message_id in db.info.pop(_PENDING, []):
        try:
            send_task(DELIVER_TASK, str(message_id))
        except Exception:  # the sweep re-sends queued messages; the log keeps the row
            log.exception("whatsapp: could not queue delivery of %s; the sweep will", message_id)


def _forget_pending(db: Session) -> None:
    db.info.pop(_PENDING, None)
