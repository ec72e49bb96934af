"""RFQ and quote routes: buyers raise RFQs and compare quotes; OEMs quote on what was
sent to them. Row-level security decides what each organisation may read."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api.contract import GstPercent, Percent, decimal_between, page_limit, page_offset
from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
from services.errors import Invalid
from services.orders.deals import award_preview
from services.rfq.flows import schedule_expiry
from services.rfq.machine import RFQ_STATUSES
from services.rfq.quotes import (
    MAX_LEAD_DAYS,
    MAX_PAISE,
    MAX_TERM_TEXT,
    QuoteLine,
    QuoteTerms,
    quotes_view,
    submit_quote,
    withdraw_quote,
)
from services.rfq.service import (
    MAX_ITEMS,
    NewRfq,
    RfqLine,
    cancel_rfq,
    create_rfq,
    get_rfq,
    list_rfqs,
)
from services.rfq.service import open_rfq as open_draft

router = APIRouter(prefix="/rfqs", tags=["rfq"])
MAX_QTY = 100_000  # units of one SKU in one RFQ: more is a typing slip
Uptime = decimal_between(80, 100, "uptime the OEM guarantees, per cent")


class ItemBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(max_length=64, description="the SKU's id or code")
    qty: int = Field(ge=1, le=MAX_QTY)


class RfqBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buyerId: uuid.UUID
    items: list[ItemBody] = Field(max_length=MAX_ITEMS)
    expiresAt: datetime = Field(description="with its time zone, e.g. 2026-12-01T18:00:00Z")
    title: str = Field("", max_length=200)
    deliveryPincode: str | None = Field(default=None, max_length=6)
    requiredBy: date | None = None
    terms: str = Field("", max_length=10_000)
    oemIds: list[uuid.UUID] | None = Field(
        default=None, description="leave out to ask every OEM of these SKUs"
    )
    facilityId: uuid.UUID | None = None
    draft: bool = Field(default=False, description="true keeps it a draft; open it later")


class CancelBody(BaseModel):
    reason: str = Field("", max_length=1000)


class LineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(max_length=64, description="the RFQ item's id, or its SKU's id or code")
    unitPricePaise: int = Field(ge=1, le=MAX_PAISE, description="above zero: no ₹0 line")
    discountPct: Percent | None = Field(None, description="leave out for the quote's own")
    gstRate: GstPercent | None = Field(None, description="leave out for the SKU's rate")


class QuoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[LineBody] = Field(max_length=MAX_ITEMS)
    validUntil: date
    discountPct: Percent = Decimal("0")
    leadTimeDays: int = Field(ge=1, le=MAX_LEAD_DAYS, description="days from order to delivery")
    warrantyYears: int = Field(0, ge=0, le=30)
    cmcYears: int = Field(0, ge=0, le=30)
    cmcAnnualPaise: int = Field(0, ge=0, le=MAX_PAISE)
    notes: str = Field("", max_length=4000)
    installation: str = Field(
        "", max_length=MAX_TERM_TEXT, description="what installation includes"
    )
    training: str = Field("", max_length=MAX_TERM_TEXT, description="training given to the staff")
    uptimePct: Uptime | None = None
    paymentDays: int | None = Field(None, ge=0, le=180, description="credit days")


@router.post("", status_code=201, summary="Raise an RFQ (opened to OEMs unless draft)")
def create(body: RfqBody, actor: Actor = Depends(current_actor)) -> dict:
    cmd = NewRfq(
        items=[RfqLine(i.sku, i.qty) for i in body.items],
        expires_at=body.expiresAt,
        title=body.title,
        delivery_pincode=body.deliveryPincode,
        required_by=body.requiredBy,
        terms=body.terms,
        oem_ids=body.oemIds,
        facility_id=body.facilityId,
        buyer_id=body.buyerId,
        publish=not body.draft,
    )
    with tenant_session(actor) as db:
        rfq = create_rfq(db, actor, cmd)
    if rfq.status == "open":
        schedule_expiry(rfq)
    return {"rfqId": str(rfq.id), "number": rfq.label, "status": rfq.status}


@router.get("", summary="Your RFQs (buyers) or the RFQs sent to you (OEMs), newest first")
def list_(
    status: str | None = Query(None, max_length=20),
    limit: int = page_limit(100, 500),
    offset: int = page_offset(),
    actor: Actor = Depends(current_actor),
) -> dict:
    if status is not None and status not in RFQ_STATUSES:
        raise Invalid("status", f"must be one of {', '.join(RFQ_STATUSES)}")
    with tenant_session(actor) as db:
        return {"rfqs": list_rfqs(db, actor, status, limit, offset)}


@router.get("/{rfq_id}", summary="An RFQ with its lines")
def read(rfq_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return get_rfq(db, actor, rfq_id)


@router.post("/{rfq_id}/open", summary="Send a draft RFQ to its OEMs")
def open_(rfq_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        rfq = open_draft(db, actor, rfq_id)
    schedule_expiry(rfq)
    return {"rfqId": str(rfq.id), "status": rfq.status}


@router.post("/{rfq_id}/cancel", summary="Cancel a draft, open or negotiating RFQ")
def cancel(
    rfq_id: uuid.UUID, body: CancelBody | None = None, actor: Actor = Depends(current_actor)
) -> dict:
    with tenant_session(actor) as db:
        rfq = cancel_rfq(db, actor, rfq_id, body.reason if body else "")
    return {"rfqId": str(rfq.id), "status": rfq.status}


@router.post(
    "/{rfq_id}/quotes", status_code=201, summary="Quote on an RFQ sent to you, or revise your quote"
)
def quote(rfq_id: uuid.UUID, body: QuoteBody, actor: Actor = Depends(current_actor)) -> dict:
    terms = QuoteTerms(
        lines=[QuoteLine(x.item, x.unitPricePaise, x.discountPct, x.gstRate) for x in body.lines],
        valid_until=body.validUntil,
        discount_pct=body.discountPct,
        lead_time_days=body.leadTimeDays,
        warranty_years=body.warrantyYears,
        cmc_years=body.cmcYears,
        cmc_annual_paise=body.cmcAnnualPaise,
        notes=body.notes,
        installation=body.installation,
        training=body.training,
        uptime_pct=body.uptimePct,
        payment_days=body.paymentDays,
    )
    with tenant_session(actor) as db:
        saved = submit_quote(db, actor, rfq_id, terms)
    return {
        "quoteId": str(saved.id),
        "revision": saved.revision,
        "status": saved.status,
        "totalPaise": saved.tco_paise,
    }


@router.get(
    "/{rfq_id}/quotes", summary="Quotes on an RFQ: the buyer's comparison, or an OEM's own quote"
)
def quotes(rfq_id: uuid.UUID, history: bool = False, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return quotes_view(db, actor, rfq_id, history)


@router.post("/{rfq_id}/quotes/withdraw", summary="Withdraw your current quote")
def withdraw(rfq_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        saved = withdraw_quote(db, actor, rfq_id)
    return {"quoteId": str(saved.id), "status": saved.status}


@router.get(
    "/{rfq_id}/award-preview",
    summary="What awarding this quote would award: revision, net price, GST, terms, "
    "the default delivery site and the service tiers",
)
def preview(
    rfq_id: uuid.UUID,
    quoteId: uuid.UUID = Query(...),  # noqa: N803
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return award_preview(db, actor, rfq_id, quoteId)
