"""Technicians as the dispatcher plans with them."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import Column, Integer
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field

TECHNICIAN_STATUSES = ("available", "busy", "off", "unavailable")


class Technician(SQLModel, table=True):
    __tablename__ = "technician"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    user_id: uuid.UUID = ref_field("users.id", nullable=False)
    home_area_id: uuid.UUID | None = ref_field("service_areas.id")
    skills: list[str] = jsonb_field(list)  # device types (services.geo.vocab.DEVICE_TYPES)
    certifications: list[str] = jsonb_field(list)  # OEM tenant ids, as text
    shift_start: time = time(9, 0)
    shift_end: time = time(18, 0)
    workdays: list[int] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4, 5], sa_column=Column(ARRAY(Integer), nullable=False)
    )
    pincode: str | None = Field(default=None, max_length=6)
    latitude: float | None = None
    longitude: float | None = None
    last_fix_at: datetime | None = timestamp_field(nullable=True)
    max_jobs_per_day: int = 6
    status: str = Field(default="available", max_length=16)
    on_call: bool = False  # reachable off shift for round-the-clock contracts
    employee_code: str | None = Field(default=None, max_length=20)
    phone: str | None = Field(default=None, max_length=15)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class DispatchPlan(SQLModel, table=True):
    """One optimisation run: its progress while it runs, then routes per technician with
    ETAs and the jobs left out with the reason."""

    __tablename__ = "dispatch_plan"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    status: str = Field(default="queued", max_length=16)
    params: dict[str, Any] = jsonb_field()
    progress: list[dict[str, Any]] = jsonb_field(list)
    routes: list[dict[str, Any]] = jsonb_field(list)
    unassigned: list[dict[str, Any]] = jsonb_field(list)
    summary: dict[str, Any] = jsonb_field()
    basis: dict[str, Any] = jsonb_field()  # the technicians as they were when planned
    error: str = ""
    created_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()
    finished_at: datetime | None = timestamp_field(nullable=True)
    accepted_at: datetime | None = timestamp_field(nullable=True)
