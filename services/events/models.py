"""The domain-event outbox and per-subscriber delivery records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Identity
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, tenant_field, timestamp_field


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"

    id: uuid.UUID = id_field()
    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), unique=True)
    )
    tenant_id: uuid.UUID = tenant_field()
    name: str = Field(max_length=60)
    entity: str = Field(max_length=60)
    entity_id: str = Field(max_length=80)
    payload: dict[str, Any] = jsonb_field()
    created_at: datetime = timestamp_field()
    # When the relay fanned the event out to its subscribers.
    dispatched_at: datetime | None = timestamp_field(nullable=True)


class EventDelivery(SQLModel, table=True):
    """One subscriber's copy of one event: retried on its own until delivered."""

    __tablename__ = "event_delivery"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    event_id: uuid.UUID = Field(foreign_key="outbox_event.id")
    subscriber: str = Field(max_length=120)
    status: str = Field(default="pending", max_length=16)  # pending | delivered | dead
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime = timestamp_field()
    delivered_at: datetime | None = timestamp_field(nullable=True)
