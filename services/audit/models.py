"""The append-only audit trail. Rows are chained by hash; the database forbids changes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from services.columns import id_field, tenant_field, timestamp_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: uuid.UUID = id_field()
    # Position in the chain, assigned by the database trigger.
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=False))
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    actor_id: uuid.UUID | None = Field(default=None)
    actor_label: str = Field(default="", max_length=254)
    action: str = Field(max_length=80)
    entity: str = Field(max_length=60)
    entity_id: str = Field(default="", max_length=80)
    summary: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field()
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)
    # How `hash` was computed (services.audit.service.canonical): 1 '|'-joined, 2 length-prefixed.
    hash_version: int = Field(default=1)
