"""Contracts between a buyer and a seller (supply, AMC or CMC)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, FetchedValue
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field


class Contract(SQLModel, table=True):
    __tablename__ = "contract"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the buyer
    seller_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    rfq_id: uuid.UUID | None = ref_field("rfq.id")
    quote_id: uuid.UUID | None = ref_field("quote.id")
    kind: str = Field(default="supply", max_length=20)  # supply | amc | cmc
    status: str = Field(default="draft", max_length=20)
    sla_tier: str | None = Field(default=None, max_length=20)
    starts_on: date | None = None
    ends_on: date | None = None
    terms: dict[str, Any] = jsonb_field()
    signed_at: datetime | None = None
    created_at: datetime = timestamp_field()
    number: int | None = Field(
        default=None, sa_column=Column(BigInteger, server_default=FetchedValue(), nullable=False)
    )
    value_paise: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    renewal_rfq_id: uuid.UUID | None = ref_field("rfq.id")

    @property
    def label(self) -> str:
        return f"CT-{self.number}"


class ContractRenewalAlert(SQLModel, table=True):
    """The mark that the renewal alert at `threshold_days` before `ends_on` went out."""

    __tablename__ = "contract_renewal_alert"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the buyer
    contract_id: uuid.UUID = ref_field("contract.id", nullable=False)
    threshold_days: int
    ends_on: date
    sent_at: datetime = timestamp_field()


class PreventiveVisit(SQLModel, table=True):
    """One preventive visit a contract promises for a device, and the ticket planning it."""

    __tablename__ = "preventive_visit"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the device owner
    contract_id: uuid.UUID = ref_field("contract.id", nullable=False)
    equipment_id: uuid.UUID = ref_field("equipment.id", nullable=False)
    due_on: date
    ticket_id: uuid.UUID | None = ref_field("ticket.id")
    created_at: datetime = timestamp_field()
