"""Spare parts: the catalogue, stock per hub, reservations for tickets, the bill of
materials of each SKU and the parts a fault code usually needs."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field


class Part(SQLModel, table=True):
    __tablename__ = "part"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    device_type: str | None = Field(default=None, max_length=60)
    unit_cost_paise: int = 0
    created_at: datetime = timestamp_field()


class PartStock(SQLModel, table=True):
    __tablename__ = "part_stock"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    area_id: uuid.UUID = ref_field("service_areas.id", nullable=False)
    part_id: uuid.UUID = ref_field("part.id", nullable=False)
    on_hand: int = 0
    reserved: int = 0
    updated_at: datetime = timestamp_field()


class PartReservation(SQLModel, table=True):
    __tablename__ = "part_reservation"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    ticket_id: uuid.UUID = ref_field("ticket.id", nullable=False)
    part_id: uuid.UUID = ref_field("part.id", nullable=False)
    area_id: uuid.UUID = ref_field("service_areas.id", nullable=False)
    qty: int
    status: str = Field(default="reserved", max_length=12)
    created_at: datetime = timestamp_field()


class SkuPart(SQLModel, table=True):
    __tablename__ = "sku_part"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    sku_id: uuid.UUID = ref_field("sku.id", nullable=False)
    part_id: uuid.UUID = ref_field("part.id", nullable=False)
    qty: int = 1


class FaultPart(SQLModel, table=True):
    __tablename__ = "fault_part"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    sku_id: uuid.UUID = ref_field("sku.id", nullable=False)
    error_code: str = Field(max_length=40)
    part_id: uuid.UUID = ref_field("part.id", nullable=False)
    qty: int = 1


class PartMovement(SQLModel, table=True):
    """One line of the movement ledger: what a receipt, a side of a transfer, an
    adjustment or a job's consumption did to one part's stock at one hub."""

    __tablename__ = "part_movement"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    kind: str = Field(max_length=14)
    part_id: uuid.UUID = ref_field("part.id", nullable=False)
    area_id: uuid.UUID = ref_field("service_areas.id", nullable=False)
    qty_change: int
    on_hand_after: int
    batch: str = Field(default="", max_length=60)
    serials: list[str] = jsonb_field(list)
    reason: str = ""
    reference: str = Field(default="", max_length=120)
    ticket_id: uuid.UUID | None = ref_field("ticket.id")
    group_id: uuid.UUID
    actor_id: uuid.UUID | None = ref_field("users.id")
    actor_label: str = Field(default="", max_length=255)
    created_at: datetime = timestamp_field()


class PartReorder(SQLModel, table=True):
    """A part's reorder point at a hub, and since when its free stock has been at or
    below it (None while it is above)."""

    __tablename__ = "part_reorder"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    area_id: uuid.UUID = ref_field("service_areas.id", nullable=False)
    part_id: uuid.UUID = ref_field("part.id", nullable=False)
    reorder_point: int
    low_since: datetime | None = timestamp_field(nullable=True)
    updated_at: datetime = timestamp_field()
