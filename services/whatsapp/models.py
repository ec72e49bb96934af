"""Tables of WhatsApp intake.

- `whatsapp_inbound`: every webhook body as it arrived (raw bytes), and what processing
  made of it, so nothing accepted is lost and a failure can be replayed.
- `whatsapp_message`: every WhatsApp message in and out, with its delivery status
  (queued, sent, delivered, read, failed; `received` for inbound) and send attempts.
- `whatsapp_conversation`: one dialogue with a number: who writes, which device, the
  question the platform waits on, the ticket it opened and who took it over.

Rows whose organisation is not known yet (an unknown number) have no tenant and are seen
only by the owner connection the webhook processing uses.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field

INBOUND_STATES = ("pending", "processed", "ignored", "failed")
MESSAGE_STATUSES = ("received", "queued", "sent", "delivered", "read", "failed")
# A status callback never moves a message backwards (a late "sent" after "read").
STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
CONVERSATION_STATES = ("new", "awaiting_device", "awaiting_intent", "ticket_open", "closed")


class WhatsappInbound(SQLModel, table=True):
    __tablename__ = "whatsapp_inbound"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    raw_body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    received_at: datetime = timestamp_field()
    state: str = Field(default="pending", max_length=10)
    error: str = Field(default="")
    attempts: int = 0
    processed_at: datetime | None = timestamp_field(nullable=True)


class WhatsappMessage(SQLModel, table=True):
    __tablename__ = "whatsapp_message"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    conversation_id: uuid.UUID | None = ref_field("whatsapp_conversation.id")
    direction: str = Field(max_length=3)  # in or out
    wa_message_id: str | None = Field(default=None, max_length=200)
    phone: str = Field(max_length=20)
    kind: str = Field(default="text", max_length=20)
    body: str = Field(default="")
    payload: dict[str, Any] = jsonb_field()
    status: str = Field(default="queued", max_length=10)
    attempts: int = 0
    last_error: str = Field(default="")
    user_id: uuid.UUID | None = ref_field("users.id")
    sent_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class WhatsappConversation(SQLModel, table=True):
    __tablename__ = "whatsapp_conversation"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    phone: str = Field(max_length=20)
    user_id: uuid.UUID | None = ref_field("users.id")
    state: str = Field(default="new", max_length=16)
    device_id: uuid.UUID | None = ref_field("equipment.id")
    ticket_id: uuid.UUID | None = ref_field("ticket.id")
    intent: str | None = Field(default=None, max_length=20)
    confidence: float | None = None
    pending: dict[str, Any] = jsonb_field()
    taken_over_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()
    last_message_at: datetime = timestamp_field()
