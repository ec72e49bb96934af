"""A notice for one person (or, for older notices, for everyone holding a role), each
person's channel and language choices, and the log of notices sent on WhatsApp or e-mail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field


class Notification(SQLModel, table=True):
    """An in-app notice: for `user_id`, or for everyone holding `role` in the tenant when
    no user is named. `link` is the page of the thing it is about."""

    __tablename__ = "notification"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    user_id: uuid.UUID | None = ref_field("users.id", ondelete="CASCADE")
    role: str = Field(max_length=32)
    kind: str = Field(default="notice", max_length=40)
    ticket_id: uuid.UUID | None = ref_field("ticket.id")
    title: str = Field(max_length=200)
    body: str = Field(default="")
    link: str = Field(default="", max_length=300)
    dedupe_key: str | None = Field(default=None, max_length=160)
    created_at: datetime = timestamp_field()
    read_at: datetime | None = timestamp_field(nullable=True)


class NotificationPreference(SQLModel, table=True):
    """One person's choices: the language of their notices and, per kind of notice, the
    channels it goes out on (kinds not named keep the defaults)."""

    __tablename__ = "notification_preference"

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="users.id")
    tenant_id: uuid.UUID = tenant_field()
    language: str = Field(default="en", max_length=5)
    channels: dict[str, Any] = jsonb_field()
    updated_at: datetime = timestamp_field()


class NotificationMessage(SQLModel, table=True):
    """One outbound notice on WhatsApp, e-mail or SMS, as the message log shows it. E-mail
    and SMS rows are their outboxes too; a WhatsApp row names the WhatsApp message that
    carries it."""

    __tablename__ = "notification_message"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    user_id: uuid.UUID | None = ref_field("users.id", ondelete="SET NULL")
    kind: str = Field(max_length=40)
    channel: str = Field(max_length=10)  # whatsapp | email | sms
    language: str = Field(max_length=5)
    recipient: str = Field(max_length=254)
    template: str = Field(default="", max_length=60)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="")
    status: str = Field(default="queued", max_length=10)
    attempts: int = 0
    last_error: str = Field(default="")
    next_attempt_at: datetime | None = timestamp_field(nullable=True)
    whatsapp_message_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = ref_field("ticket.id")
    dedupe_key: str | None = Field(default=None, max_length=200)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
