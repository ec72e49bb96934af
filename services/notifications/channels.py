"""One way to tell a person something: on each channel they chose, in their language.

`tell_people` writes a notice for each person in the notice's organisation: in-app (the
bell), a WhatsApp template message to their number and an e-mail to their address, as
each person chose for that kind of notice, rendered in each person's language. `tell_phone`
sends a WhatsApp template to a number with no account behind it (a lab's patient).

Outbound WhatsApp and e-mail notices are written to the message log (`notification_message`)
with a key, so the same notice delivered twice goes out once. WhatsApp messages are queued
through `services.whatsapp.outbound` (its workers send and retry them); e-mails through
`services.notifications.email`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from services.columns import utcnow
from services.errors import Invalid
from services.notifications.email import queue_email
from services.notifications.models import NotificationMessage
from services.notifications.preferences import choices_of, contact_of
from services.notifications.service import Notice, notify_users
from services.notifications.templates import Rendered, render
from services.whatsapp.outbound import send_template

log = logging.getLogger("yantra.notifications")


@dataclass(frozen=True)
class Message:
    """What to tell: the kind of notice, the values of its blanks, the page it links to,
    a key (the same key reaches each person once per channel) and its ticket, if any."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    key: str | None = None
    ticket_id: uuid.UUID | None = None


def _log_whatsapp(
    db: Session,
    tenant_id: uuid.UUID,
    phone: str,
    notice: Rendered,
    message: Message,
    user_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """A log row for a WhatsApp notice, then the message itself; None if already sent."""
    now = utcnow()
    row_id = db.execute(
        insert(NotificationMessage)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            user_id=user_id,
            kind=notice.kind,
            channel="whatsapp",
            language=notice.language,
            recipient=phone[:254],
            template=notice.whatsapp_template,
            subject=notice.title[:300],
            body=notice.body,
            status="queued",
            ticket_id=message.ticket_id,
            dedupe_key=message.key[:200] if message.key else None,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(NotificationMessage.id)
    ).scalar()
    if row_id is None:
        return None
    row = db.get(NotificationMessage, row_id)
    try:
        row.whatsapp_message_id = send_template(
            db,
            to_phone=phone,
            template=notice.whatsapp_template,
            language=notice.language,
            params=notice.whatsapp_params,
            tenant_id=tenant_id,
            user_id=user_id,
        )
    except Invalid as exc:  # a number WhatsApp cannot take: the log says so
        row.status, row.last_error = "failed", f"{exc.field}: {exc}"
        log.warning("notice %s not sent on WhatsApp: %s", row_id, row.last_error)
    db.add(row)
    return row_id


def tell_people(
    db: Session,
    tenant_id: uuid.UUID,
    people: list[tuple[uuid.UUID, str]],
    message: Message,
    *,
    in_app: bool = True,
) -> dict[str, int]:
    """Tell each (user id, role) of `tenant_id` about `message` on the channels that person
    chose for its kind, in their language (in-app left out when `in_app` is False because
    the bell already has it). A channel needs an address: no number, no WhatsApp. `db` is
    a session of `tenant_id`. Returns how many notices went out on each channel."""
    counts = {"in_app": 0, "whatsapp": 0, "email": 0}
    for user_id, role in people:
        language, channels = choices_of(db, user_id)
        chosen = channels.get(message.kind, [])
        if not chosen:
            continue
        notice = render(message.kind, language, message.params)
        contact = contact_of(db, user_id)
        if "in_app" in chosen and in_app:
            bell = Notice(
                message.kind,
                notice.title,
                notice.body,
                message.link,
                key=message.key,
                ticket_id=message.ticket_id,
            )
            # the driver may report -1 (count unknown) for a written row
            counts["in_app"] += notify_users(db, tenant_id, [(user_id, role)], bell) != 0
        if "whatsapp" in chosen and contact["phone"]:
            sent = _log_whatsapp(db, tenant_id, contact["phone"], notice, message, user_id)
            counts["whatsapp"] += sent is not None
        if "email" in chosen and contact["email"]:
            sent = queue_email(
                db,
                tenant_id,
                contact["email"],
                notice,
                user_id=user_id,
                key=message.key,
                ticket_id=message.ticket_id,
            )
            counts["email"] += sent is not None
    return counts


def tell_phone(
    db: Session, tenant_id: uuid.UUID, phone: str, language: str, message: Message
) -> uuid.UUID | None:
    """Send `message` as a WhatsApp template in `language` to `phone`, a number with no
    account (a patient), and log it; returns the log row's id, or None when the same key
    already went to that number. Raises Invalid for an unknown language or kind."""
    notice = render(message.kind, language, message.params)
    return _log_whatsapp(db, tenant_id, phone, notice, message, None)
