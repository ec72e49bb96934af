"""Tables of failure prediction: every score a device got, and its preemptive watch (the
latest probability and the one preemptive ticket it raised). Migration 0023."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field


class FailurePrediction(SQLModel, table=True):
    """One score of the failure model for one device."""

    __tablename__ = "failure_prediction"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the device owner
    oem_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    device_id: uuid.UUID = ref_field("equipment.id", nullable=False)
    model_version: str = Field(max_length=40)
    probability: float
    threshold: float
    top_factors: list[dict[str, Any]] = jsonb_field(list)
    window_end: datetime = timestamp_field(server_now=False)
    scored_at: datetime = timestamp_field()


class PreemptiveWatch(SQLModel, table=True):
    """A scored device: its latest probability and the preemptive ticket it raised."""

    __tablename__ = "preemptive_watch"

    device_id: uuid.UUID = Field(foreign_key="equipment.id", primary_key=True)
    tenant_id: uuid.UUID = tenant_field()
    oem_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    probability: float
    model_version: str = Field(max_length=40)
    ticket_id: uuid.UUID | None = ref_field("ticket.id")
    ticket_opened_at: datetime | None = timestamp_field(nullable=True)
    updated_at: datetime = timestamp_field()
