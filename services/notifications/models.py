"""A notice for one person (or, for older notices, for everyone holding a role)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from services.columns import id_field, ref_field, tenant_field, timestamp_field


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
