"""Purchase orders and the orders that fulfil them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, FetchedValue, LargeBinary
from sqlmodel import Field, SQLModel

from services.columns import id_field, jsonb_field, ref_field, tenant_field, timestamp_field

ORDER_STATUSES = ("confirmed", "shipped", "delivered", "installed", "cancelled")


def _number() -> Any:
    return Field(
        default=None,
        sa_column=Column(BigInteger, server_default=FetchedValue(), nullable=False, unique=True),
    )


class PurchaseOrder(SQLModel, table=True):
    """The buyer's PO to the seller, written once at award."""

    __tablename__ = "purchase_order"

    id: uuid.UUID = id_field()
    number: int | None = _number()
    tenant_id: uuid.UUID = tenant_field()  # the buyer
    seller_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    contract_id: uuid.UUID = ref_field("contract.id", nullable=False)
    rfq_id: uuid.UUID | None = ref_field("rfq.id")
    quote_id: uuid.UUID | None = ref_field("quote.id")
    lines: list[dict[str, Any]] = jsonb_field(list)
    place_of_supply: str | None = None
    seller_state: str | None = None
    subtotal_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    cgst_paise: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    sgst_paise: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    igst_paise: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    total_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    terms: dict[str, Any] = jsonb_field()
    issued_by: uuid.UUID | None = ref_field("users.id")
    issued_at: datetime = timestamp_field()

    @property
    def label(self) -> str:
        return f"PO-{self.number}"


class SalesOrder(SQLModel, table=True):
    """Fulfilment of a PO: confirmed, shipped, delivered, installed (or cancelled)."""

    __tablename__ = "sales_order"

    id: uuid.UUID = id_field()
    number: int | None = _number()
    tenant_id: uuid.UUID = tenant_field()  # the buyer
    seller_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    contract_id: uuid.UUID = ref_field("contract.id", nullable=False)
    purchase_order_id: uuid.UUID = ref_field("purchase_order.id", nullable=False)
    facility_id: uuid.UUID | None = ref_field("healthcare_facilities.id")
    status: str = Field(default="confirmed", max_length=16)
    lines: list[dict[str, Any]] = jsonb_field(list)
    timeline: list[dict[str, Any]] = jsonb_field(list)
    shipped_at: datetime | None = timestamp_field(nullable=True)
    delivered_at: datetime | None = timestamp_field(nullable=True)
    installed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # The seller's dispatch record (transporter, docket number) and the buyer's acceptance
    # records: the goods-received note and the installation report (services/orders/acceptance.py).
    shipment: dict[str, Any] = jsonb_field()
    goods_receipt: dict[str, Any] = jsonb_field()
    installation_report: dict[str, Any] = jsonb_field()

    @property
    def label(self) -> str:
        return f"SO-{self.number}"


class OrderAttachment(SQLModel, table=True):
    """A photo taken at delivery or installation, kept on the order (the buyer's row)."""

    __tablename__ = "order_attachment"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the buyer
    seller_tenant_id: uuid.UUID = ref_field("tenant.id", nullable=False)
    order_id: uuid.UUID = ref_field("sales_order.id", nullable=False)
    kind: str = Field(max_length=16)  # delivery | installation
    file_name: str = Field(max_length=200)
    content_type: str = Field(max_length=80)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_by: uuid.UUID | None = ref_field("users.id")
    created_at: datetime = timestamp_field()
