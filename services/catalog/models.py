"""The SKU catalog: what each OEM sells."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Numeric
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, tenant_field, timestamp_field

RISK_CLASSES = ("A", "B", "C", "D")


class Sku(SQLModel, table=True):
    __tablename__ = "sku"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the OEM
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    category: str = Field(max_length=80)
    # Indian Medical Device Rules risk class A (low) to D (high).
    imdr_class: str = Field(max_length=1)
    list_price_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    gst_rate: Decimal = Field(
        default=Decimal("12.00"), sa_column=Column(Numeric(5, 2), nullable=False)
    )
    attrs: dict[str, Any] = jsonb_field()
    is_active: bool = Field(default=True)
    created_at: datetime = timestamp_field()
