"""Requests for quotation, their lines, and OEM quotes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field


class Rfq(SQLModel, table=True):
    __tablename__ = "rfq"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the buyer
    created_by: uuid.UUID | None = ref_field("users.id")
    title: str = Field(default="", max_length=200)
    status: str = Field(default="draft", max_length=20)
    delivery_pincode: str | None = Field(default=None, max_length=6)
    required_by: date | None = None
    terms: str = Field(default="")
    expires_at: datetime | None = None
    created_at: datetime = timestamp_field()


class RfqItem(SQLModel, table=True):
    __tablename__ = "rfq_item"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    rfq_id: uuid.UUID = ref_field("rfq.id", nullable=False, ondelete="CASCADE")
    sku_id: uuid.UUID = ref_field("sku.id", nullable=False)
    qty: int = Field(ge=1)


class Quote(SQLModel, table=True):
    __tablename__ = "quote"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the seller (OEM)
    rfq_id: uuid.UUID = ref_field("rfq.id", nullable=False)
    buyer_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    revision: int = Field(default=1)
    status: str = Field(default="submitted", max_length=20)
    amount_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    lines: list[dict[str, Any]] = jsonb_field(list)
    valid_until: date | None = None
    created_at: datetime = timestamp_field()
