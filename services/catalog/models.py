"""The SKU catalog: what each OEM sells, and the shapes its routes take and give."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Numeric, Text
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, tenant_field, timestamp_field

RISK_CLASSES = ("A", "B", "C", "D")
GST_RATES = (Decimal("0"), Decimal("5"), Decimal("12"), Decimal("18"), Decimal("28"))

# Price bands of the search facets: (key, label, lowest paise, highest paise exclusive).
# The database's sku_price_band() (migration 0008) draws the same lines.
PRICE_BANDS = (
    ("under_1l", "Under ₹1 L", 0, 1_00_000_00),
    ("1l_10l", "₹1 L – 10 L", 1_00_000_00, 10_00_000_00),
    ("10l_1cr", "₹10 L – 1 Cr", 10_00_000_00, 1_00_00_000_00),
    ("over_1cr", "Over ₹1 Cr", 1_00_00_000_00, None),
)


def price_band(paise: int) -> str:
    """The facet band of a list price in paise."""
    return next(
        key
        for key, _label, low, high in PRICE_BANDS
        if paise >= low and (high is None or paise < high)
    )


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
    # Figures in fixed units, checked per category (services/catalog/specs.py).
    specs: dict[str, Any] = jsonb_field()
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    datasheet_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    is_active: bool = Field(default=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
