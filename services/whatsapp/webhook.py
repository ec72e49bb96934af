"""The webhook of the WhatsApp Cloud API: the handshake, the signature, storing each body
as it arrived, and processing it afterwards (a worker calls `process_inbound`).

Processing reads `entry[].changes[].value`: `statuses` move outbound messages of the log
forward; each of `messages` is recorded once by its id (a unique index) in the same
transaction as the conversation step it causes, so a delivery repeated by Meta, or a
replay after a crash, never acts twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import select

from services.columns import utcnow
from services.db import system_session
from services.errors import Forbidden, Invalid
from services.settings import get_settings
from services.whatsapp.models import STATUS_RANK, WhatsappInbound, WhatsappMessage

log = logging.getLogger("yantra.whatsapp")

BODY_BYTES = 1024 * 1024
PROCESS_TASK = "whatsapp.process_inbound"


def verify_handshake(mode: str | None, token: str | None, challenge: str | None) -> str:
    """The challenge to echo when Meta subscribes with our verify token.
    Raises Forbidden otherwise."""
    expected, _ = get_settings().whatsapp_secrets()
    given = (token or "").encode()
    if mode != "subscribe" or not hmac.compare_digest(given, expected.encode()):
        raise Forbidden("The verify token does not match WHATSAPP_VERIFY_TOKEN")
    return challenge or ""


def signature_ok(raw: bytes, header: str | None) -> bool:
    """Whether `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body with the app secret
    (compared in constant time)."""
    if not header or not header.startswith("sha256="):
        return False
    _, secret = get_settings().whatsapp_secrets()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[7:].strip().lower().encode(), digest.encode())


def sign(raw: bytes) -> str:
    """The signature header Meta would send for `raw` (for tools and tests)."""
    _, secret = get_settings().whatsapp_secrets()
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def store_inbound(raw: bytes) -> uuid.UUID:
    """Keep a signed body exactly as it arrived; returns its id for processing.
    Raises Invalid("body") for an empty or oversized body."""
    if not raw or len(raw) > BODY_BYTES:
        raise Invalid("body", "must be a webhook notification of at most 1 MB")
    with system_session() as db:
        row = WhatsappInbound(raw_body=raw)
        db.add(row)
        db.flush()
        return row.id


def pending_inbound(older_than: timedelta = timedelta(seconds=30)) -> list[uuid.UUID]:
    """Bodies still waiting (their task was lost, or processing failed): to try again."""
    cutoff = utcnow() - older_than
    with system_session() as db:
        rows = db.exec(
            select(WhatsappInbound.id)
            .where(
                WhatsappInbound.state.in_(("pending", "failed")),
                WhatsappInbound.received_at < cutoff,
                WhatsappInbound.attempts < 5,
            )
            .limit(100)
        ).all()
    return list(rows)


def process_inbound(inbound_id: uuid.UUID) -> str:
    """Act on a stored body once: apply its statuses, hand each new message to the
    conversation. Returns the body's state: processed, ignored (malformed: logged with the
    reason) or failed (an error; it is tried again)."""
    from services.whatsapp.conversation import handle_message

    with system_session() as db:
        row = db.get(WhatsappInbound, inbound_id)
        if row is None or row.state in ("processed", "ignored"):
            return row.state if row else "missing"
        raw = bytes(row.raw_body)
    try:
        changes = _changes(raw)
    except ValueError as exc:
        log.warning("whatsapp: body %s is malformed: %s", inbound_id, exc)
        return _finish(inbound_id, "ignored", f"malformed: {exc}")
    try:
        for value in changes:
            contacts = {
                c.get("wa_id"): c for c in value.get("contacts") or [] if isinstance(c, dict)
            }
            for status in value.get("statuses") or []:
                apply_status(status)
            for message in value.get("messages") or []:
                if (
                    not isinstance(message, dict)
                    or not message.get("id")
                    or not message.get("from")
                ):
                    log.warning("whatsapp: body %s has a message without id or sender", inbound_id)
                    continue
                handle_message(message, contacts.get(message["from"]) or {})
    except Exception as exc:
        log.exception("whatsapp: body %s failed", inbound_id)
        _finish(inbound_id, "failed", f"{type(exc).__name__}: {exc}"[:1000])
        raise
    return _finish(inbound_id, "processed", "")


def _changes(raw: bytes) -> list[dict[str, Any]]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from exc
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        raise ValueError("object is not whatsapp_business_account")
    entries = body.get("entry")
    if not isinstance(entries, list):
        raise ValueError("entry is not a list")
    values = []
    for entry in entries:
        for change in (entry or {}).get("changes") or [] if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                values.append(value)
    if not values:
        raise ValueError("no entry[].changes[].value")
    return values


def _finish(inbound_id: uuid.UUID, state: str, error: str) -> str:
    with system_session() as db:
        row = db.get(WhatsappInbound, inbound_id)
        row.state, row.error = state, error
        row.attempts += 1
        row.processed_at = utcnow()
    return state


def apply_status(status: Any) -> bool:
    """Move an outbound message forward to sent, delivered, read or failed (never back).
    Returns whether a message of the log changed."""
    if not isinstance(status, dict) or status.get("status") not in STATUS_RANK:
        log.warning("whatsapp: status callback not understood: %r", status)
        return False
    new = status["status"]
    errors = status.get("errors") or []
    reason = ""
    if new == "failed" and errors and isinstance(errors[0], dict):
        first = errors[0]
        reason = f"{first.get('code', '')} {first.get('title') or first.get('message') or ''}"
    with system_session() as db:
        changed = db.execute(
            text(
                "UPDATE whatsapp_message SET status = :new, updated_at = now(), "
                "last_error = CASE WHEN :reason <> '' THEN :reason ELSE last_error END "
                "WHERE direction = 'out' AND wa_message_id = :id AND status <> 'failed' "
                "AND CASE status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' "
                "THEN 2 WHEN 'read' THEN 3 ELSE 4 END < :rank"
            ),
            {
                "new": new,
                "reason": reason.strip()[:500],
                "id": str(status.get("id", "")),
                "rank": STATUS_RANK[new],
            },
        ).rowcount
    return bool(changed)


def message_count(db, phone: str) -> int:
    """How many messages the log holds for a number (for the conversation view)."""
    return len(db.exec(select(WhatsappMessage.id).where(WhatsappMessage.phone == phone)).all())
