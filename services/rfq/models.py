"""Requests for quotation, their lines and recipients, and OEM quotes (one row per revision)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Numeric, Sequence, Text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field

RFQ_NUMBER = Sequence("rfq_number_seq", start=1001)


class Rfq(SQLModel, table=True):
    __tablename__ = "rfq"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the buyer
    number: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger, RFQ_NUMBER, server_default=RFQ_NUMBER.next_value(), unique=True
        ),
    )
    created_by: uuid.UUID | None = ref_field("users.id")
    title: str = Field(default="", max_length=200)
    status: str = Field(default="draft", max_length=20)
    delivery_pincode: str | None = Field(default=None, max_length=6)
    buyer_facility_id: uuid.UUID | None = ref_field("healthcare_facilities.id")
    required_by: date | None = None
    terms: str = Field(default="")
    sent_to_all: bool = Field(default=False)
    expires_at: datetime | None = timestamp_field(nullable=True)
    opened_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()

    @property
    def label(self) -> str:
        return f"RFQ-{self.number}"


class RfqItem(SQLModel, table=True):
    __tablename__ = "rfq_item"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    rfq_id: uuid.UUID = ref_field("rfq.id", nullable=False, ondelete="CASCADE")
    sku_id: uuid.UUID = ref_field("sku.id", nullable=False)
    qty: int = Field(ge=1)


class RfqRecipient(SQLModel, table=True):
    """An OEM an RFQ was sent to. The buyer sees all of them; each OEM only its own."""

    __tablename__ = "rfq_recipient"

    id: uuid.UUID = id_field()
    rfq_id: uuid.UUID = ref_field("rfq.id", nullable=False, ondelete="CASCADE")
    buyer_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    oem_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    invited_at: datetime = timestamp_field()
    seen_at: datetime | None = timestamp_field(nullable=True)


class Quote(SQLModel, table=True):
    """One revision of an OEM's quote. `amount_paise` is the price after discount and
    before GST; `lines` hold the per-item arithmetic (see services.rfq.quotes)."""

    __tablename__ = "quote"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the seller (OEM)
    rfq_id: uuid.UUID = ref_field("rfq.id", nullable=False)
    buyer_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    revision: int = Field(default=1)
    status: str = Field(default="submitted", max_length=20)
    amount_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    discount_pct: Decimal = Field(
        default=Decimal("0"), sa_column=Column(Numeric(5, 2), nullable=False, server_default="0")
    )
    gst_paise: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    lead_time_days: int = Field(default=0)
    warranty_years: int = Field(default=0)
    cmc_years: int = Field(default=0)
    cmc_annual_paise: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    lines: list[dict[str, Any]] = jsonb_field(list)
    valid_until: date | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # installation, training, uptimePct, paymentDays: what the buyer reads beside the price
    service_terms: dict[str, Any] = jsonb_field()
    # The agreed offer: when and by which side it was accepted, and the counter-offer it
    # came from (None when the quote itself was accepted).
    agreed_at: datetime | None = timestamp_field(nullable=True)
    agreed_side: str | None = Field(default=None, max_length=8)
    agreed_offer_id: uuid.UUID | None = Field(  # negotiation_message.id (a table of SQL only)
        default=None, sa_column=Column(PgUUID(as_uuid=True), nullable=True)
    )
    is_current: bool = Field(default=True)
    superseded_by: uuid.UUID | None = ref_field("quote.id")
    submitted_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()

    @property
    def cmc_total_paise(self) -> int:
        return self.cmc_years * self.cmc_annual_paise

    @property
    def tco_paise(self) -> int:
        """Price after discount, GST, and every CMC year quoted (the comparison's horizon
        is in services.rfq.compare)."""
        return self.amount_paise + self.gst_paise + self.cmc_total_paise

    @property
    def is_agreed(self) -> bool:
        return self.agreed_at is not None
