"""The device registry and its onboarding records (bulk feeds, QR deployment)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field


class Equipment(SQLModel, table=True):
    """A device installed at a facility. `tenant_id` is the owner (hospital or lab)."""

    __tablename__ = "equipment"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    manufacturer_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    sku_id: uuid.UUID = ref_field("sku.id", nullable=False)
    facility_id: uuid.UUID | None = ref_field("healthcare_facilities.id")
    serial_number: str = Field(max_length=80)
    udi: str | None = Field(default=None, max_length=120)
    install_date: date | None = None
    amc_status: str = Field(default="none", max_length=10)  # none | warranty | amc | cmc
    amc_start: date | None = None
    amc_end: date | None = None
    current_sla: str | None = Field(default=None, max_length=20)
    contract_id: uuid.UUID | None = ref_field("contract.id")
    lifecycle_status: str = Field(default="registered", max_length=20)
    attrs: dict[str, Any] = jsonb_field()
    created_at: datetime = timestamp_field()
    qr_printed_at: datetime | None = timestamp_field(nullable=True)
    deployed_at: datetime | None = timestamp_field(nullable=True)
    decommissioned_at: datetime | None = timestamp_field(nullable=True)
    # in_service | out_of_service | decommissioned (services/devices/lifecycle.py)
    service_state: str = Field(default="in_service", max_length=20)
    service_state_reason: str = Field(default="")
    service_state_at: datetime | None = timestamp_field(nullable=True)


class DeviceRegistrationBatch(SQLModel, table=True):
    __tablename__ = "device_registration_batch"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the manufacturer
    external_batch_id: str = Field(max_length=80)
    status: str = Field(default="queued", max_length=20)
    total_count: int = 0
    processed_count: int = 0
    failed_count: int = 0
    created_at: datetime = timestamp_field()
    completed_at: datetime | None = timestamp_field(nullable=True)
    kit_id: uuid.UUID | None = Field(default=None)


class ManufacturerDeviceFeed(SQLModel, table=True):
    """One row of a manufacturer's bulk import, with its own outcome."""

    __tablename__ = "manufacturer_device_feed"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the manufacturer
    import_batch_id: uuid.UUID = ref_field("device_registration_batch.id", nullable=False)
    row_number: int
    serial_number: str = Field(default="", max_length=80)
    sku_code: str = Field(default="", max_length=64)
    payload: dict[str, Any] = jsonb_field()
    status: str = Field(default="pending", max_length=20)
    error: str | None = Field(default=None, max_length=500)
    device_id: uuid.UUID | None = ref_field("equipment.id")
    created_at: datetime = timestamp_field()


class QrDeploymentLog(SQLModel, table=True):
    __tablename__ = "qr_deployment_log"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    qr_id: uuid.UUID
    device_id: uuid.UUID | None = ref_field("equipment.id")
    location_lat: float | None = None
    location_lng: float | None = None
    deployed_by_user_id: uuid.UUID | None = ref_field("users.id")
    is_valid: bool = False
    distance_m: float | None = None
    reason: str = Field(default="", max_length=200)
    validated_at: datetime = timestamp_field()


class QrCode(SQLModel, table=True):
    """A signed label for a device. A new label revokes the device's previous one."""

    __tablename__ = "qr_code"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    device_id: uuid.UUID = ref_field("equipment.id", nullable=False)
    key_id: str = Field(max_length=16)
    payload: str = Field(max_length=200)
    # The symbol's modules, packed (services.qr.symbols): computed once, printed many times.
    matrix: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    status: str = Field(default="active", max_length=10)  # active | revoked
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)


class QrKit(SQLModel, table=True):
    """A printable PDF of labels and facility cover pages."""

    __tablename__ = "qr_kit"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    batch_id: uuid.UUID | None = ref_field("device_registration_batch.id")
    label_count: int = 0
    status: str = Field(default="ready", max_length=10)
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = timestamp_field()


class LabelPrintJob(SQLModel, table=True):
    """Labels printed for chosen devices, from position `start_at` of a 21-label sheet.

    Printing changes no device: they count as printed once `confirmed_at` is set, when
    someone says the labels are stuck on."""

    __tablename__ = "label_print_job"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    device_ids: list[str] = jsonb_field(list)
    start_at: int = 1
    label_count: int = 0
    created_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()
    confirmed_by: uuid.UUID | None = ref_field("users.id")
    confirmed_at: datetime | None = timestamp_field(nullable=True)
