"""Tables of telemetry: device credentials for the broker, refused payloads, rollups,
alarms and the alarm rules an OEM set. Readings themselves live in `telemetry_reading` (partitioned by day, written with
COPY by the ingest; read through `services/telemetry/readings.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field

ALARM_STATES = ("pending", "open", "cleared")
BUCKETS = ("1m", "1h")


class TelemetryCredential(SQLModel, table=True):
    """A device's MQTT account: publishes to its own topic only. `password_hash` is
    mosquitto's `$7$` PBKDF2-SHA512 form; the password itself is shown once and never kept."""

    __tablename__ = "telemetry_credential"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    oem_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    device_id: uuid.UUID = ref_field("equipment.id", nullable=False)
    username: str = Field(max_length=80)
    password_hash: str = Field(max_length=200)
    topic: str = Field(max_length=200)
    created_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)
    last_used_at: datetime | None = timestamp_field(nullable=True)


class TelemetryQuarantine(SQLModel, table=True):
    """A payload the ingest refused, kept verbatim with the reason."""

    __tablename__ = "telemetry_quarantine"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    oem_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    device_id: uuid.UUID = ref_field("equipment.id", nullable=False)
    topic: str = Field(max_length=200)
    payload: str
    reason: str
    received_at: datetime = timestamp_field()


class TelemetryRollup(SQLModel, table=True):
    """Count, min, max and sum of one metric of a device over a 1-minute or 1-hour bucket."""

    __tablename__ = "telemetry_rollup"

    tenant_id: uuid.UUID = Field(sa_column_kwargs={"nullable": False})
    oem_tenant_id: uuid.UUID = Field(sa_column_kwargs={"nullable": False})
    device_id: uuid.UUID = Field(primary_key=True)
    metric: str = Field(primary_key=True, max_length=60)
    bucket: str = Field(primary_key=True, max_length=2)
    start: datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    count: int
    min: float
    max: float
    sum: float


class TelemetryAlarm(SQLModel, table=True):
    """An alarm of one rule on one device: pending until the condition has lasted the rule's
    minimum duration, open (with its ticket) until readings recover past the hysteresis."""

    __tablename__ = "telemetry_alarm"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    oem_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    device_id: uuid.UUID = ref_field("equipment.id", nullable=False)
    rule: str = Field(max_length=60)
    metric: str = Field(max_length=60)
    state: str = Field(default="pending", max_length=8)
    first_seen: datetime = timestamp_field(server_now=False)
    raised_at: datetime | None = timestamp_field(nullable=True)
    cleared_at: datetime | None = timestamp_field(nullable=True)
    last_value: float | None = None
    evidence: list[dict[str, Any]] = jsonb_field(list)
    ticket_id: uuid.UUID | None = ref_field("ticket.id")


class TelemetryRule(SQLModel, table=True):
    """An OEM's own numbers for one alarm rule of a device type, or of one device
    (`device_id`): they replace the defaults of `services/telemetry/rules.py` for its devices."""

    __tablename__ = "telemetry_rule"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    device_type: str = Field(max_length=60)
    device_id: uuid.UUID | None = ref_field("equipment.id")
    rule: str = Field(max_length=60)
    limit_value: float
    clear_value: float
    min_duration_s: int
    priority: str = Field(max_length=2)
    updated_by: uuid.UUID | None = ref_field("users.id")
    updated_at: datetime = timestamp_field()
