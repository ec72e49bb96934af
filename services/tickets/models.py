"""Service tickets."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from services.columns import id_field, ref_field, tenant_field, timestamp_field


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the device owner
    equipment_id: uuid.UUID | None = ref_field("equipment.id")
    facility_id: uuid.UUID | None = ref_field("healthcare_facilities.id")
    service_partner_tenant_id: uuid.UUID | None = ref_field("tenant.id")
    priority: str = Field(default="P3", max_length=2)
    status: str = Field(default="open", max_length=20)
    source: str = Field(default="portal", max_length=20)
    error_code: str | None = Field(default=None, max_length=40)
    description: str = Field(default="")
    opened_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
