"""Tables of the field app: checklists per device type, a job's visit record, the steps
recorded on it, and every event a phone sent (its idempotency key and what came of it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, LargeBinary
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field

STEP_KINDS = ("pass_fail", "reading", "photo", "choice")
SYNC_STATUSES = ("applied", "rejected", "conflict")


class FieldWorkflow(SQLModel, table=True):
    """One version of a device type's checklist. `tenant_id` is empty for the versions kept
    in the repository (everyone's), else the organisation that published it."""

    __tablename__ = "field_workflow"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    key: str = Field(max_length=60)
    device_type: str = Field(max_length=60)
    version: int
    name: str = Field(max_length=200)
    steps: list[dict[str, Any]] = jsonb_field(list)
    source: str = Field(default="repository", max_length=12)
    published_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()


class FieldVisit(SQLModel, table=True):
    """What the field did on one ticket: the checklist version, arrival, a parts request,
    the customer's sign-off and the service report."""

    __tablename__ = "field_visit"

    ticket_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("ticket.id"), primary_key=True)
    )
    tenant_id: uuid.UUID = tenant_field()
    technician_user_id: uuid.UUID | None = ref_field("users.id")
    workflow_id: uuid.UUID | None = ref_field("field_workflow.id")
    checked_in_at: datetime | None = timestamp_field(nullable=True)
    check_in_method: str | None = Field(default=None, max_length=12)
    check_in_distance_m: float | None = None
    waiting_parts_reason: str | None = None
    waiting_parts_at: datetime | None = timestamp_field(nullable=True)
    signer_name: str | None = Field(default=None, max_length=200)
    signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    signed_at: datetime | None = timestamp_field(nullable=True)
    report_attachment_id: uuid.UUID | None = ref_field("ticket_attachment.id")
    updated_at: datetime = timestamp_field()


class FieldStep(SQLModel, table=True):
    """A checklist step's latest answer on a ticket; a reading out of range is flagged."""

    __tablename__ = "field_step"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    ticket_id: uuid.UUID = ref_field("ticket.id", nullable=False)
    workflow_id: uuid.UUID = ref_field("field_workflow.id", nullable=False)
    step_id: str = Field(max_length=60)
    kind: str = Field(max_length=12)
    value: dict[str, Any] = jsonb_field()
    out_of_range: bool = False
    recorded_by: uuid.UUID | None = ref_field("users.id")
    client_time: datetime = timestamp_field()
    created_at: datetime = timestamp_field()


class SyncEvent(SQLModel, table=True):
    """One event a phone sent, kept once per account and idempotency key. A conflict stays
    open until a dispatcher resolves it."""

    __tablename__ = "sync_event"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    user_id: uuid.UUID = ref_field("users.id", nullable=False)
    client_id: uuid.UUID | None = None
    idempotency_key: uuid.UUID
    type: str = Field(max_length=30)
    entity_id: str = Field(default="", max_length=80)
    ticket_id: uuid.UUID | None = ref_field("ticket.id")
    client_time: datetime | None = timestamp_field(nullable=True)
    payload: dict[str, Any] = jsonb_field()
    status: str = Field(max_length=10)
    server_id: uuid.UUID | None = None
    error: str = ""
    received_at: datetime = timestamp_field()
    resolution: str | None = Field(default=None, max_length=10)
    resolved_by: uuid.UUID | None = ref_field("users.id")
    resolved_at: datetime | None = timestamp_field(nullable=True)
    resolution_note: str = ""
