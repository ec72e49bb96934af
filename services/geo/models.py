"""Indian geography: pincodes, the facility and laboratory directory, service areas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field

FACILITY_TYPES = (
    "hospital",
    "diagnostic_lab",
    "pathology_lab",
    "radiology_center",
    "imaging_center",
    "cardiac_center",
    "oncology_center",
    "primary_health_center",
    "community_health_center",
    "dispensary",
    "eye_care_center",
    "dental_clinic",
    "dialysis_center",
    "physiotherapy_center",
    "sleep_study_center",
    "emergency_center",
    "trauma_center",
    "corporate_health_center",
    "telemedicine_center",
)


class IndianPincode(SQLModel, table=True):
    __tablename__ = "indian_pincodes"

    pincode: str = Field(primary_key=True, max_length=6)
    city: str = Field(max_length=120)
    district: str = Field(max_length=120)
    state: str = Field(max_length=80)
    latitude: float
    longitude: float


class HealthcareFacility(SQLModel, table=True):
    """A facility. `tenant_id` NULL: an entry of the public directory."""

    __tablename__ = "healthcare_facilities"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    external_id: str | None = Field(default=None, max_length=80)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=400)
    pincode: str = Field(foreign_key="indian_pincodes.pincode", max_length=6)
    facility_type: str = Field(max_length=40)
    bed_count: int | None = None
    specialties: list[str] = jsonb_field(list)
    accreditations: list[str] = jsonb_field(list)
    ownership: str = Field(default="private", max_length=20)
    source: str = Field(default="tenant", max_length=20)  # tenant, import or demo
    contact_info: dict[str, Any] = jsonb_field()
    # Filled from the pincode centroid by the database when not given.
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Laboratory(SQLModel, table=True):
    __tablename__ = "laboratories"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    facility_id: uuid.UUID | None = ref_field("healthcare_facilities.id")
    external_id: str | None = Field(default=None, max_length=80)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=400)
    pincode: str = Field(foreign_key="indian_pincodes.pincode", max_length=6)
    lab_type: str = Field(default="full_service", max_length=40)
    test_categories: list[str] = jsonb_field(list)
    accreditations: list[str] = jsonb_field(list)
    contact_info: dict[str, Any] = jsonb_field()
    latitude: float | None = None
    longitude: float | None = None
    source: str = Field(default="tenant", max_length=20)
    created_at: datetime = timestamp_field()


class HealthcareFacilityEquipment(SQLModel, table=True):
    __tablename__ = "healthcare_facility_equipment"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID | None = tenant_field(nullable=True)
    facility_id: uuid.UUID = ref_field("healthcare_facilities.id", nullable=False)
    device_count_by_category: dict[str, Any] = jsonb_field()
    lab_equipment_types: list[str] = jsonb_field(list)
    last_updated: datetime = timestamp_field()


class ServiceArea(SQLModel, table=True):
    __tablename__ = "service_areas"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the OEM or service partner
    name: str = Field(max_length=120)
    hub_pincode: str = Field(foreign_key="indian_pincodes.pincode", max_length=6)
    hub_latitude: float
    hub_longitude: float
    covered_pincodes: list[str] = jsonb_field(list)
    radius_km: float | None = None  # the editor's radius; covered_pincodes holds the result
    max_response_time_hours: float = 4.0
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class TechnicianCoverage(SQLModel, table=True):
    __tablename__ = "technician_coverage"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    technician_id: uuid.UUID = ref_field("users.id", nullable=False)
    service_area_id: uuid.UUID = ref_field("service_areas.id", nullable=False)
    specialties: list[str] = jsonb_field(list)
    availability: dict[str, Any] = jsonb_field()
