"""Tables of the lab's interface engine.

- `lab_channel`: one analyzer (or LIS) link, known by the sender it writes in `MSH-3`/`MSH-4`
  (or the ASTM header's sender), owned by a laboratory and mapped to a registered device.
- `lab_test_code`: per channel, the analyzer's code → LOINC, unit, reference and critical limits.
- `lab_message`: every message as received, stored before it is acknowledged; its state
  (`received`, `processed`, `error`) and the ACK code sent. A sender no channel knows leaves
  its message without a tenant until a channel for that sender is created.
- `lab_patient`, `lab_order`, `lab_result`: what processing made of the messages.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from services.columns import id_field, ref_field, tenant_field, timestamp_field

MESSAGE_STATES = ("received", "processed", "error")
ACK_CODES = ("AA", "AE", "AR")
PROTOCOLS = ("hl7", "astm")
ORDER_MODES = ("query", "push", "none")
ORDER_STATUSES = ("new", "sent", "resulted", "cancelled")


class LabChannel(SQLModel, table=True):
    """An analyzer link. Its sender (application + facility) is unique on the platform,
    because a connection says nothing else about whose it is."""

    __tablename__ = "lab_channel"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    laboratory_id: uuid.UUID | None = ref_field("laboratories.id")
    device_id: uuid.UUID | None = ref_field("equipment.id")
    name: str = Field(max_length=120)
    sending_application: str = Field(max_length=180)
    sending_facility: str = Field(default="", max_length=180)
    protocol: str = Field(default="hl7", max_length=8)
    # How orders reach the analyzer: it asks for them (`query`), the platform sends them
    # over MLLP to `push_host:push_port` (`push`), or not at all.
    order_mode: str = Field(default="query", max_length=8)
    push_host: str = Field(default="", max_length=200)
    push_port: int | None = None
    # Minutes without a message (in working hours) before the analyzer counts as silent.
    silent_after_minutes: int = 30
    is_active: bool = True
    created_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()


class LabTestCode(SQLModel, table=True):
    """What one analyzer code means: LOINC, unit, reference range and critical limits."""

    __tablename__ = "lab_test_code"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    channel_id: uuid.UUID = ref_field("lab_channel.id", nullable=False, ondelete="CASCADE")
    analyzer_code: str = Field(max_length=60)
    loinc: str = Field(default="", max_length=20)
    name: str = Field(default="", max_length=200)
    units: str = Field(default="", max_length=40)
    reference_low: float | None = None
    reference_high: float | None = None
    reference_text: str = Field(default="", max_length=80)
    critical_low: float | None = None
    critical_high: float | None = None


class LabMessage(SQLModel, table=True):
    """A message as it arrived, and what became of it."""

    __tablename__ = "lab_message"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    channel_id: uuid.UUID | None = ref_field("lab_channel.id")
    protocol: str = Field(default="hl7", max_length=8)
    sending_application: str = Field(default="", max_length=180)
    sending_facility: str = Field(default="", max_length=180)
    control_id: str | None = Field(default=None, max_length=199)
    message_type: str = Field(default="", max_length=20)
    version: str = Field(default="", max_length=10)
    raw: str
    state: str = Field(default="received", max_length=10)
    error: str = ""
    ack_code: str = Field(default="AA", max_length=2)
    duplicate_count: int = 0
    result_count: int = 0
    attempts: int = 0
    received_at: datetime = timestamp_field()
    processed_at: datetime | None = timestamp_field(nullable=True)


class LabPatient(SQLModel, table=True):
    """A patient as the lab's messages name them (`PID-3` first identifier)."""

    __tablename__ = "lab_patient"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    identifier: str = Field(max_length=80)
    family_name: str = Field(default="", max_length=120)
    given_name: str = Field(default="", max_length=120)
    birth_date: str = Field(default="", max_length=8)
    sex: str = Field(default="", max_length=1)
    # From PID-13/14 in E.164 and PID-15 as a notice language; '' when not known.
    phone: str = Field(default="", max_length=16)
    language: str = Field(default="", max_length=2)
    source_message_id: uuid.UUID | None = ref_field("lab_message.id")
    updated_at: datetime = timestamp_field()


class LabOrder(SQLModel, table=True):
    """A test ordered for a specimen, on its way to (or back from) an analyzer."""

    __tablename__ = "lab_order"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    channel_id: uuid.UUID | None = ref_field("lab_channel.id")
    patient_id: uuid.UUID | None = ref_field("lab_patient.id")
    placer_order_number: str = Field(default="", max_length=80)
    filler_order_number: str = Field(default="", max_length=80)
    specimen_id: str = Field(default="", max_length=80)
    test_code: str = Field(default="", max_length=60)
    test_name: str = Field(default="", max_length=200)
    priority: str = Field(default="R", max_length=2)
    status: str = Field(default="new", max_length=10)
    ordered_at: datetime | None = timestamp_field(nullable=True)
    sent_at: datetime | None = timestamp_field(nullable=True)
    # When the patient was told the report is ready (once per order).
    ready_notified_at: datetime | None = timestamp_field(nullable=True)
    source_message_id: uuid.UUID | None = ref_field("lab_message.id")
    created_at: datetime = timestamp_field()


class LabResult(SQLModel, table=True):
    """One observation (`OBX`) of a result message, with what the test code says of it."""

    __tablename__ = "lab_result"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    message_id: uuid.UUID = ref_field("lab_message.id", nullable=False)
    channel_id: uuid.UUID | None = ref_field("lab_channel.id")
    device_id: uuid.UUID | None = ref_field("equipment.id")
    patient_id: uuid.UUID | None = ref_field("lab_patient.id")
    order_id: uuid.UUID | None = ref_field("lab_order.id")
    sequence: int
    analyzer_code: str = Field(default="", max_length=60)
    loinc: str = Field(default="", max_length=20)
    name: str = Field(default="", max_length=200)
    value: str = ""
    value_numeric: float | None = None
    units: str = Field(default="", max_length=40)
    reference_range: str = Field(default="", max_length=80)
    reference_low: float | None = None
    reference_high: float | None = None
    abnormal_flag: str = Field(default="", max_length=10)
    result_status: str = Field(default="F", max_length=2)
    observed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
