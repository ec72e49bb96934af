"""A WhatsApp dialogue, message by message: who writes, which device, what is wrong, and
the ticket it opens.

A known number acts as its user, in that user's tenant session: the device comes from a
label photo, a serial, UDI or label code in the text, or an interactive list; triage reads
the intent, and asks one question when it is unsure. The ticket opens with source
`whatsapp`, its priority from the intent and the device's risk class, and the dialogue as
a comment; later messages join the ticket as comments. An unknown number gets one polite
answer a day on how to register, and nothing else happens. Every answer is in the writer's
language (`replies.py`).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from services.actor import Actor, Role, TenantKind
from services.columns import utcnow
from services.common.roles import TICKET_OPENERS
from services.db import system_session, tenant_session
from services.errors import Invalid
from services.identity.phones import normalise_phone
from services.tickets import service as tickets
from services.tickets.models import Ticket
from services.whatsapp import finding, replies, triage
from services.whatsapp.models import WhatsappConversation, WhatsappMessage
from services.whatsapp.outbound import send_list, send_text

log = logging.getLogger("yantra.whatsapp")

ENDED = ("resolved", "closed", "cancelled")
# IMDR risk class → priority, per intent (the classes C and D keep patients alive).
PRIORITY = {
    "breakdown": {"D": "P1", "C": "P1", "B": "P2", "A": "P3"},
    "error_code": {"D": "P2", "C": "P2", "B": "P3", "A": "P3"},
    "complaint": {"D": "P3", "C": "P3", "B": "P3", "A": "P4"},
    "installation": {"D": "P3", "C": "P3", "B": "P3", "A": "P4"},
    "other": {"D": "P3", "C": "P3", "B": "P3", "A": "P4"},
    "pm_request": {"D": "P4", "C": "P4", "B": "P4", "A": "P4"},
    "consumables": {"D": "P4", "C": "P4", "B": "P4", "A": "P4"},
}
_ERROR_CODE = re.compile(r"\b((?:E|ERR|ERROR|F|A)[\s\-:#]?\d{1,4}[A-Z]?)\b", re.IGNORECASE)


@dataclass
class Inbound:
    """One inbound message as the conversation needs it."""

    wa_id: str
    phone: str
    kind: str
    text: str
    choice: str  # the id of an interactive reply, else ""
    media_id: str
    raw: dict[str, Any]
    language: str = replies.DEFAULT  # what the answers are written in


def read_message(message: dict[str, Any]) -> Inbound:
    """The parts of a Cloud API message a dialogue uses. Raises Invalid("from")."""
    kind = str(message.get("type") or "unknown")
    part = message.get(kind) if isinstance(message.get(kind), dict) else {}
    body, choice, media = "", "", ""
    if kind == "text":
        body = str(part.get("body") or "")
    elif kind in ("image", "document"):
        body, media = str(part.get("caption") or ""), str(part.get("id") or "")
    elif kind == "interactive":
        reply = part.get("list_reply") or part.get("button_reply") or {}
        body, choice = str(reply.get("title") or ""), str(reply.get("id") or "")
    elif kind == "button":
        body, choice = str(part.get("text") or ""), str(part.get("payload") or "")
    phone = normalise_phone(str(message.get("from") or ""), "from")
    return Inbound(str(message["id"]), phone, kind, body.strip()[:4000], choice, media, message)


def handle_message(message: dict[str, Any], contact: dict[str, Any]) -> None:
    """Record an inbound message once and take the dialogue's next step. A message id seen
    before does nothing. Raises only on infrastructure errors (then nothing is recorded)."""
    try:
        inbound = read_message(message)
    except Invalid as exc:
        log.warning("whatsapp: message %s skipped: %s", message.get("id"), exc)
        return
    writer = find_writer(inbound.phone)
    if writer is None:
        with system_session() as db:
            if _record(db, None, None, inbound) is not None:
                _answer_stranger(db, inbound)
        return
    with tenant_session(writer) as db:
        message_id = _record(db, writer, None, inbound)
        if message_id is not None:
            inbound.language = replies.language_for(_chosen_language(db, writer), inbound.text)
            _step(db, writer, inbound, message_id)


def find_writer(phone: str) -> Actor | None:
    """The active user whose WhatsApp number this is, as an actor of their organisation."""
    with system_session() as db:
        row = db.execute(
            text(
                "SELECT u.id, u.tenant_id, u.roles, u.email, t.kind FROM users u "
                "JOIN tenant t ON t.id = u.tenant_id WHERE u.phone = :p AND u.is_active"
            ),
            {"p": phone},
        ).first()
    if row is None:
        return None
    roles = frozenset(Role(r) for r in row.roles if r in Role._value2member_map_)
    return Actor(row.id, row.tenant_id, TenantKind(row.kind), roles, row.email)


def _chosen_language(db: Session, writer: Actor) -> str | None:
    """The language the writer chose for their notices, or None if they never chose. Read
    as a row: the notifications domain sends through this one, so it is not imported."""
    return db.execute(
        text("SELECT language FROM notification_preference WHERE user_id = :u"),
        {"u": writer.user_id},
    ).scalar()


def _record(
    db: Session, actor: Actor | None, conversation_id: uuid.UUID | None, inbound: Inbound
) -> uuid.UUID | None:
    """Insert the inbound message unless its id is known; returns the new row's id."""
    values = {
        "id": uuid.uuid4(),
        "tenant_id": actor.tenant_id if actor else None,
        "conversation_id": conversation_id,
        "direction": "in",
        "wa_message_id": inbound.wa_id,
        "phone": inbound.phone,
        "kind": inbound.kind,
        "body": inbound.text,
        "payload": inbound.raw,
        "status": "received",
        "user_id": actor.user_id if actor else None,
    }
    statement = (
        insert(WhatsappMessage.__table__)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=["direction", "wa_message_id"],
            index_where=text("wa_message_id IS NOT NULL"),
        )
        .returning(WhatsappMessage.__table__.c.id)
    )
    return db.execute(statement).scalar()


def _answer_stranger(db: Session, inbound: Inbound) -> None:
    phone, since = inbound.phone, utcnow() - timedelta(hours=24)
    answered = db.exec(
        select(WhatsappMessage.id).where(
            WhatsappMessage.phone == phone,
            WhatsappMessage.direction == "out",
            WhatsappMessage.created_at > since,
        )
    ).first()
    if answered is None:
        send_text(db, to_phone=phone, text=replies.stranger(inbound.text))


def _conversation(db: Session, actor: Actor, phone: str) -> WhatsappConversation:
    conv = db.exec(
        select(WhatsappConversation)
        .where(WhatsappConversation.phone == phone, WhatsappConversation.state != "closed")
        .with_for_update()
    ).first()
    if conv is not None and conv.ticket_id is not None:
        ticket = db.get(Ticket, conv.ticket_id)
        if ticket is None or ticket.status in ENDED:
            conv.state = "closed"
            db.flush()
            conv = None
    if conv is None:
        conv = WhatsappConversation(tenant_id=actor.tenant_id, phone=phone, user_id=actor.user_id)
        db.add(conv)
        db.flush()
    return conv


def _step(db: Session, actor: Actor, inbound: Inbound, message_id: uuid.UUID) -> None:
    conv = _conversation(db, actor, inbound.phone)
    db.get(WhatsappMessage, message_id).conversation_id = conv.id
    conv.last_message_at = utcnow()
    if conv.state == "ticket_open":
        _follow_up(db, actor, conv, inbound)
        return
    if actor.roles.isdisjoint(TICKET_OPENERS):
        _say(db, actor, conv, replies.say("not_allowed", inbound.language))
        return
    pending = dict(conv.pending or {})
    if conv.state == "awaiting_device" and _take_device_choice(db, actor, conv, inbound):
        pass
    elif conv.state == "awaiting_intent" and inbound.choice.startswith("intent:"):
        conv.intent, conv.confidence = inbound.choice.split(":", 1)[1], 1.0
    elif conv.state == "awaiting_intent" and _intent_by_number(inbound.text):
        conv.intent, conv.confidence = _intent_by_number(inbound.text), 1.0
    else:
        _read_report(db, actor, conv, inbound, pending)
    _advance(db, actor, conv, inbound.language)


def _read_report(
    db: Session, actor: Actor, conv: WhatsappConversation, inbound: Inbound, pending: dict
) -> None:
    """A free report: find the device in it and read its intent."""
    if inbound.text:
        pending["text"] = (pending.get("text", "") + "\n" + inbound.text).strip()[-3000:]
    conv.pending = pending
    device = None
    if inbound.media_id:
        device = finding.device_in_photo(db, actor.tenant_id, inbound.media_id)
        if device is None:
            _say(db, actor, conv, replies.say("photo_unread", inbound.language))
    if device is None and inbound.text:
        device = finding.device_in_text(db, actor.tenant_id, inbound.text)
    if device is not None:
        conv.device_id = device.id
    if pending.get("text") and (conv.intent is None or conv.state != "awaiting_intent"):
        conv.intent, conv.confidence = triage.classify(pending["text"])


def _take_device_choice(
    db: Session, actor: Actor, conv: WhatsappConversation, inbound: Inbound
) -> bool:
    choices = (conv.pending or {}).get("choices") or []
    picked = None
    if inbound.choice.startswith("device:"):
        picked = inbound.choice.split(":", 1)[1]
    elif inbound.text.strip().isdigit() and 1 <= int(inbound.text.strip()) <= len(choices):
        picked = choices[int(inbound.text.strip()) - 1]
    if picked is None or picked not in choices:
        return False
    device = finding.device_by_id(db, actor.tenant_id, uuid.UUID(picked))
    if device is None:
        return False
    conv.device_id = device.id
    return True


def _intent_by_number(answer: str) -> str | None:
    answer = answer.strip().rstrip(".")
    if answer.isdigit() and 1 <= int(answer) <= len(triage.INTENTS):
        return triage.INTENTS[int(answer) - 1]
    return None


def _advance(db: Session, actor: Actor, conv: WhatsappConversation, language: str) -> None:
    """Ask for what is missing (the device, then the intent when unsure), else open;
    answering in `language`."""
    if conv.device_id is None:
        _ask_device(db, actor, conv, language)
    elif not (conv.pending or {}).get("text"):
        conv.state = "new"
        _say(db, actor, conv, replies.say("what_is_wrong", language))
    elif conv.intent is None or (
        (conv.confidence or 0) < triage.CONFIDENT and not conv.pending.get("asked")
    ):
        conv.state = "awaiting_intent"  # asked once; after that the best reading stands
        conv.pending = {**conv.pending, "asked": True}
        labels = replies.intent_labels(language)
        rows = [(f"intent:{i}", labels[i], "") for i in triage.INTENTS]
        send_list(
            db,
            to_phone=conv.phone,
            text=replies.say("which_intent", language),
            button=replies.say("choose", language),
            section=replies.say("choices", language),
            rows=rows,
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
            conversation_id=conv.id,
        )
    else:
        _open(db, actor, conv, language)
    db.flush()


def _ask_device(db: Session, actor: Actor, conv: WhatsappConversation, language: str) -> None:
    devices = finding.devices_of(db, actor.tenant_id)
    if not devices:
        _say(db, actor, conv, replies.say("no_devices", language))
        return
    if len(devices) == 1:
        conv.device_id = devices[0].id
        _advance(db, actor, conv, language)
        return
    conv.state = "awaiting_device"
    conv.pending = {**(conv.pending or {}), "choices": [str(d.id) for d in devices]}
    serial = replies.say("serial", language)
    rows = [(f"device:{d.id}", d.name, f"{serial} {d.serial} {d.site}".strip()) for d in devices]
    send_list(
        db,
        to_phone=conv.phone,
        text=replies.say("which_device", language),
        button=replies.say("devices", language),
        section=replies.say("choices", language),
        rows=rows,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        conversation_id=conv.id,
    )


def _open(db: Session, actor: Actor, conv: WhatsappConversation, language: str) -> None:
    device = finding.device_by_id(db, actor.tenant_id, conv.device_id)
    report = conv.pending.get("text", "")
    priority = PRIORITY.get(conv.intent, PRIORITY["other"]).get(device.risk_class, "P3")
    code = _ERROR_CODE.search(report) if conv.intent == "error_code" else None
    ticket = tickets.open_ticket(
        db,
        actor,
        device.id,
        priority,
        code.group(1).upper() if code else None,
        report,
        source="whatsapp",
    )
    tickets.add_comment(db, actor, ticket.id, _transcript(db, conv))
    conv.ticket_id, conv.state = ticket.id, "ticket_open"
    conv.pending = {"text": report}
    _say(db, actor, conv, replies.opened(ticket.number, priority, device.label(), language))


def _transcript(db: Session, conv: WhatsappConversation) -> str:
    rows = db.exec(
        select(WhatsappMessage)
        .where(WhatsappMessage.conversation_id == conv.id)
        .order_by(WhatsappMessage.created_at)
    ).all()
    lines = [f"{'>' if m.direction == 'in' else '<'} {m.body}" for m in rows if m.body]
    intent = f"{conv.intent} ({conv.confidence:.0%})" if conv.confidence else conv.intent
    return f"WhatsApp from {conv.phone}; triage: {intent}\n" + "\n".join(lines)[-3500:]


def _follow_up(db: Session, actor: Actor, conv: WhatsappConversation, inbound: Inbound) -> None:
    note = inbound.text or f"({inbound.kind} message)"
    tickets.add_comment(db, actor, conv.ticket_id, f"WhatsApp from {conv.phone}: {note}")
    if conv.taken_over_by is None:
        number = db.get(Ticket, conv.ticket_id).number
        _say(db, actor, conv, replies.added(number, inbound.language))


def _say(db: Session, actor: Actor, conv: WhatsappConversation, body: str) -> None:
    send_text(
        db,
        to_phone=conv.phone,
        text=body,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        conversation_id=conv.id,
    )
