"""OEM quotes: submitting, revising (every revision kept), withdrawing, and reading them.

A quote prices every line of its RFQ. Per line: gross = unit price x qty; discount at the
line's rate (the quote's by default); net = gross - discount; GST at the line's rate (the
SKU's by default) on the net. The quote's `amount_paise` is the sum of nets and
`gst_paise` the sum of GST. CMC is quoted per year, GST included, for `cmc_years` years
after the warranty. Amounts are integer paise, rounded half up at each line.

A quote cannot be wrong in the ways a buyer would be misled by: no line at ₹0, a discount
below the whole price, GST at one of the rates the law has, a lead time of 1 to 365 days.
The OEM's service terms (installation, training, uptime, credit days) travel with the
quote to the buyer, and a lead time that misses the RFQ's required-by date is said so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.columns import utcnow
from services.common.clock import IST, today_ist
from services.common.roles import SELLERS
from services.errors import Conflict, Forbidden, Invalid
from services.events.service import emit
from services.rfq.compare import compare_quotes
from services.rfq.machine import RFQ_LIVE, check_quote_transition
from services.rfq.models import Quote, Rfq
from services.rfq.service import rfq_items, visible_rfq
from services.tenancy.service import directory

MAX_PAISE = 10**15  # ₹10 lakh crore: anything above is a typing slip
GST_RATES = tuple(Decimal(r) for r in ("0", "5", "12", "18", "28"))
MAX_LEAD_DAYS = 365
MAX_TERM_TEXT = 500


@dataclass
class QuoteLine:
    item: str  # the RFQ item's id, or its SKU's id or code
    unit_price_paise: int
    discount_pct: Decimal | None = None
    gst_rate: Decimal | None = None


@dataclass
class QuoteTerms:
    lines: list[QuoteLine]
    valid_until: date
    discount_pct: Decimal = Decimal("0")
    lead_time_days: int = 0
    warranty_years: int = 0
    cmc_years: int = 0
    cmc_annual_paise: int = 0
    notes: str = ""
    installation: str = ""
    training: str = ""
    uptime_pct: Decimal | None = None
    payment_days: int | None = None


def _pct(value: Any, where: str, top: int) -> Decimal:
    try:
        pct = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise Invalid(where, f"must be a number from 0 to {top}") from exc
    if not pct.is_finite() or pct < 0 or pct > top:
        raise Invalid(where, f"must be from 0 to {top}")
    return pct.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _whole(value: Any, where: str, top: int, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or value > top:
        raise Invalid(where, f"must be a whole number from {low} to {top:,}")
    return value


def _discount(value: Any, where: str) -> Decimal:
    """A discount from 0 up to, not including, the whole price."""
    pct = _pct(value, where, 100)
    if pct >= 100:
        raise Invalid(where, "must be below 100 %: a discount cannot take the whole price")
    return pct


def _gst(value: Any, where: str) -> Decimal:
    rate = _pct(value, where, 28)
    if rate not in GST_RATES:
        raise Invalid(where, "must be one of the GST rates 0, 5, 12, 18 or 28 %")
    return rate


def _unit_price(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Invalid(where, "enter the unit price; a line at ₹0 is not a quote")
    return _whole(value, where, MAX_PAISE, low=1)


def _paise(amount: Decimal) -> int:
    return int(amount.quantize(Decimal("1"), ROUND_HALF_UP))


def _match_item(items: list[dict], ref: str, where: str) -> dict:
    ref = (ref or "").strip()
    for item in items:
        if ref in (item["itemId"], item["skuId"]) or ref.upper() == item["skuCode"].upper():
            return item
    raise Invalid(where, f"{ref!r} is not a line of this RFQ")


def price_lines(items: list[dict], terms: QuoteTerms) -> list[dict[str, Any]]:
    """One priced line per RFQ item, in the RFQ's order. Raises Invalid naming the field
    (lines, lines.N.item, lines.N.unitPricePaise, lines.N.discountPct, lines.N.gstRate)."""
    quote_discount = _discount(terms.discount_pct, "discountPct")
    by_item: dict[str, dict] = {}
    for i, line in enumerate(terms.lines):
        item = _match_item(items, line.item, f"lines.{i}.item")
        if item["itemId"] in by_item:
            raise Invalid(f"lines.{i}.item", f"{item['skuCode']} is priced twice")
        unit = _unit_price(line.unit_price_paise, f"lines.{i}.unitPricePaise")
        discount = (
            quote_discount
            if line.discount_pct is None
            else _discount(line.discount_pct, f"lines.{i}.discountPct")
        )
        rate = (
            _pct(item["gstRate"], f"lines.{i}.gstRate", 28)  # the catalog's own rate
            if line.gst_rate is None
            else _gst(line.gst_rate, f"lines.{i}.gstRate")
        )
        gross = unit * item["qty"]
        cut = _paise(Decimal(gross) * discount / 100)
        net = gross - cut
        by_item[item["itemId"]] = {
            "itemId": item["itemId"],
            "skuId": item["skuId"],
            "skuCode": item["skuCode"],
            "skuName": item["skuName"],
            "qty": item["qty"],
            "unitPricePaise": unit,
            "discountPct": str(discount),
            "grossPaise": gross,
            "discountPaise": cut,
            "netPaise": net,
            "gstRate": str(rate),
            "gstPaise": _paise(Decimal(net) * rate / 100),
            "listPricePaise": item.get("listPricePaise", 0),
        }
    missing = [item["skuCode"] for item in items if item["itemId"] not in by_item]
    if missing:
        raise Invalid("lines", f"price every line of the RFQ; missing: {', '.join(missing)}")
    return [by_item[item["itemId"]] for item in items]


def _check_terms(terms: QuoteTerms) -> dict[str, Any]:
    """Check the quote's terms; returns its service terms as stored."""
    _whole(terms.lead_time_days, "leadTimeDays", MAX_LEAD_DAYS, low=1)
    _whole(terms.warranty_years, "warrantyYears", 30)
    _whole(terms.cmc_years, "cmcYears", 30)
    _whole(terms.cmc_annual_paise, "cmcAnnualPaise", MAX_PAISE)
    if terms.cmc_years and not terms.cmc_annual_paise:
        raise Invalid("cmcAnnualPaise", "give the CMC price per year for the CMC years quoted")
    if terms.valid_until is None or terms.valid_until < today_ist():
        raise Invalid("validUntil", "must be today or later")
    if len(terms.notes) > 4000:
        raise Invalid("notes", "at most 4,000 characters")
    service: dict[str, Any] = {}
    for key, value in (("installation", terms.installation), ("training", terms.training)):
        if len(value or "") > MAX_TERM_TEXT:
            raise Invalid(key, f"at most {MAX_TERM_TEXT} characters")
        if (value or "").strip():
            service[key] = value.strip()
    if terms.uptime_pct is not None:
        uptime = _pct(terms.uptime_pct, "uptimePct", 100)
        if uptime < 80:
            raise Invalid("uptimePct", "must be from 80 to 100 %")
        service["uptimePct"] = str(uptime)
    if terms.payment_days is not None:
        service["paymentDays"] = _whole(terms.payment_days, "paymentDays", 180)
    return service


def lead_time_warning(required_by: date | None, lead_time_days: int, sent_on: date) -> str:
    """A sentence when a lead time counted from `sent_on` delivers after the RFQ's
    required-by date, else ""."""
    if required_by is None or lead_time_days <= 0:
        return ""
    arrives = sent_on + timedelta(days=lead_time_days)
    if arrives <= required_by:
        return ""
    late = (arrives - required_by).days
    return (
        f"A {lead_time_days}-day lead time delivers around {arrives:%d %b %Y}, "
        f"{late} day{'s' if late != 1 else ''} after the required-by date {required_by:%d %b %Y}"
    )


def _quotable_rfq(db: Session, actor: Actor, rfq_id: uuid.UUID) -> Rfq:
    actor.require(*SELLERS)
    if actor.tenant_kind != TenantKind.OEM:
        raise Forbidden("Only OEMs quote on RFQs")
    rfq = visible_rfq(db, actor, rfq_id)
    if rfq.tenant_id == actor.tenant_id:
        raise Forbidden("You cannot quote on your own RFQ")
    if rfq.status not in RFQ_LIVE or (rfq.expires_at and rfq.expires_at <= utcnow()):
        state = "expired" if rfq.status in RFQ_LIVE else rfq.status
        raise Conflict(f"{rfq.label} is {state}; quotes are taken while it is open or negotiating")
    return rfq


def _current(db: Session, actor: Actor, rfq_id: uuid.UUID) -> Quote | None:
    return db.exec(
        select(Quote)
        .where(Quote.rfq_id == rfq_id, Quote.tenant_id == actor.tenant_id, Quote.is_current)
        .with_for_update()
    ).first()


def submit_quote(db: Session, actor: Actor, rfq_id: uuid.UUID, terms: QuoteTerms) -> Quote:
    """Quote on an RFQ sent to the actor's OEM, or revise its quote: the previous revision
    is kept as `revised` and points to the new one. The first quote on an open RFQ moves
    it to negotiating. Emits QuoteSubmitted or QuoteRevised.

    Raises NotFound (not sent to you), Forbidden, Conflict (RFQ not open or negotiating;
    quote already accepted, rejected or expired) or Invalid naming the field."""
    rfq = _quotable_rfq(db, actor, rfq_id)
    lines = price_lines(rfq_items(db, rfq.id), terms)
    service_terms = _check_terms(terms)
    previous = _current(db, actor, rfq.id)
    if previous is not None:
        _retire(db, previous)
    quote = Quote(
        tenant_id=actor.tenant_id,
        rfq_id=rfq.id,
        buyer_tenant_id=rfq.tenant_id,
        revision=previous.revision + 1 if previous else 1,
        status="submitted",
        amount_paise=sum(line["netPaise"] for line in lines),
        gst_paise=sum(line["gstPaise"] for line in lines),
        lines=lines,
        discount_pct=_discount(terms.discount_pct, "discountPct"),
        lead_time_days=terms.lead_time_days,
        warranty_years=terms.warranty_years,
        cmc_years=terms.cmc_years,
        cmc_annual_paise=terms.cmc_annual_paise,
        valid_until=terms.valid_until,
        notes=terms.notes.strip(),
        service_terms=service_terms,
        submitted_by=actor.user_id,
    )
    _save_new(db, quote)
    if previous is not None:
        previous.superseded_by = quote.id
        db.add(previous)
    db.execute(text("SELECT rfq_quote_received(:r)"), {"r": rfq.id})
    _announce(db, actor, rfq, quote, previous)
    return quote


def _save_new(db: Session, quote: Quote) -> None:
    """Insert a revision; two sends of the same OEM that crossed are a Conflict (the
    first one won), not a server error."""
    db.add(quote)
    try:
        db.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "")
        if constraint not in ("quote_current_key", "quote_revision_key"):
            raise
        raise Conflict(
            "Another quote of yours on this RFQ was saved at the same moment; reload to see it"
        ) from exc


def _retire(db: Session, previous: Quote) -> None:
    """Take the OEM's current revision out of the running before the next one is added."""
    if previous.status == "submitted":
        check_quote_transition(previous.status, "revised")
        previous.status = "revised"
    elif previous.status != "withdrawn":  # a withdrawn quote may be followed by a new one
        check_quote_transition(previous.status, "revised")
    previous.is_current, previous.updated_at = False, utcnow()
    db.add(previous)
    db.flush()


def _announce(db: Session, actor: Actor, rfq: Rfq, quote: Quote, previous: Quote | None) -> None:
    name = "QuoteRevised" if previous is not None else "QuoteSubmitted"
    audit.record(
        db,
        actor,
        "quote.revise" if previous else "quote.submit",
        "quote",
        quote.id,
        f"revision {quote.revision} on {rfq.label}, total {quote.tco_paise} paise",
    )
    emit(
        db,
        actor,
        name,
        "quote",
        quote.id,
        {
            "rfqId": str(rfq.id),
            "buyerId": str(rfq.tenant_id),
            "revision": quote.revision,
            "supersedes": str(previous.id) if previous else None,
        },
    )


def withdraw_quote(db: Session, actor: Actor, rfq_id: uuid.UUID) -> Quote:
    """Withdraw the actor's current quote on an RFQ. Emits QuoteWithdrawn. Raises
    NotFound, Forbidden or Conflict (no submitted quote, or naming what is allowed)."""
    actor.require(*SELLERS)
    rfq = visible_rfq(db, actor, rfq_id)
    quote = _current(db, actor, rfq.id)
    if quote is None:
        raise Conflict(f"You have no quote on {rfq.label} to withdraw")
    check_quote_transition(quote.status, "withdrawn")
    quote.status, quote.updated_at = "withdrawn", utcnow()
    db.add(quote)
    db.flush()
    audit.record(
        db,
        actor,
        "quote.withdraw",
        "quote",
        quote.id,
        f"revision {quote.revision} on {rfq.label} withdrawn",
    )
    emit(
        db,
        actor,
        "QuoteWithdrawn",
        "quote",
        quote.id,
        {"rfqId": str(rfq.id), "buyerId": str(rfq.tenant_id), "revision": quote.revision},
    )
    return quote


def quote_json(quote: Quote, names: dict, required_by: date | None = None) -> dict[str, Any]:
    """A quote revision as the API and the pages read it; `required_by` (the RFQ's) adds
    the lead-time warning."""
    sent_on = quote.created_at.astimezone(IST).date() if quote.created_at else today_ist()
    return {
        "quoteId": str(quote.id),
        "rfqId": str(quote.rfq_id),
        "oemId": str(quote.tenant_id),
        "oemName": names.get(quote.tenant_id, ("", ""))[0],
        "revision": quote.revision,
        "status": quote.status,
        "isCurrent": quote.is_current,
        "supersededBy": str(quote.superseded_by) if quote.superseded_by else None,
        "discountPct": str(quote.discount_pct),
        "netPaise": quote.amount_paise,
        "gstPaise": quote.gst_paise,
        "leadTimeDays": quote.lead_time_days,
        "warrantyYears": quote.warranty_years,
        "cmcYears": quote.cmc_years,
        "cmcAnnualPaise": quote.cmc_annual_paise,
        "cmcTotalPaise": quote.cmc_total_paise,
        "totalPaise": quote.tco_paise,
        "lines": quote.lines,
        "validUntil": quote.valid_until.isoformat() if quote.valid_until else None,
        "notes": quote.notes,
        "serviceTerms": quote.service_terms or {},
        "isAgreed": quote.is_agreed,
        "agreedAt": quote.agreed_at.isoformat() if quote.agreed_at else None,
        "agreedSide": quote.agreed_side,
        "agreedOfferId": str(quote.agreed_offer_id) if quote.agreed_offer_id else None,
        "leadTimeWarning": lead_time_warning(required_by, quote.lead_time_days, sent_on),
        "submittedAt": quote.created_at.isoformat(),
    }


def list_quotes(db: Session, actor: Actor, rfq_id: uuid.UUID, history: bool = False) -> list[Quote]:
    """Quotes on an RFQ the actor may see: the buyer sees every OEM's, an OEM only its own
    (row-level security enforces both). Current revisions only unless `history`.
    Raises NotFound when the RFQ is not the actor's nor sent to it."""
    rfq = visible_rfq(db, actor, rfq_id)
    stmt = select(Quote).where(Quote.rfq_id == rfq.id)
    if rfq.tenant_id != actor.tenant_id:
        stmt = stmt.where(Quote.tenant_id == actor.tenant_id)
    if not history:
        stmt = stmt.where(Quote.is_current)
    return list(db.exec(stmt.order_by(Quote.tenant_id, Quote.revision.desc())))


def quotes_view(
    db: Session, actor: Actor, rfq_id: uuid.UUID, history: bool = False
) -> dict[str, Any]:
    """What GET /rfqs/{id}/quotes answers: the quotes, and for the buyer the comparison."""
    rfq = visible_rfq(db, actor, rfq_id)
    quotes = list_quotes(db, actor, rfq_id, history)
    names = directory(db)
    out: dict[str, Any] = {
        "rfqId": str(rfq.id),
        "rfqStatus": rfq.status,
        "requiredBy": rfq.required_by.isoformat() if rfq.required_by else None,
        "quotes": [quote_json(q, names, rfq.required_by) for q in quotes],
    }
    if rfq.tenant_id == actor.tenant_id:
        current = [q for q in quotes if q.is_current]
        out["comparison"] = compare_quotes(rfq_items(db, rfq.id), current, names)
    return out
