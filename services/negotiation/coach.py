"""The coach in a negotiation room: `suggestCounterOffer(rfqId)`.

The offers so far are the OEM's current quote and every counter-offer in the thread, in the
order they were made; the latest of them is the offer on the table, whichever side made it.
Its terms are the quote's, as changed by each counter since. Each RFQ line becomes a
pricing line (the SKU's category and list price, the quantity, the delivery city's tier,
the buyer's kind, the warranty and CMC years on the table, the month); the price-band model
says where the offer sits and what to counter with. Terms are valued from this quote's own
price for a CMC year (or the catalog's CMC rate), and the lead time is checked against the
RFQ's required-by date. The tip is posted into the room for the asking side only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import today_ist
from services.errors import Conflict
from services.negotiation.service import Room, _live, post_tip, thread
from services.pricing.coach import suggest_quote_counter
from services.pricing.deals import STANDARD_WARRANTY, QuoteLine, buyer_type_of, delivery_tier
from services.pricing.terms import OfferTerms

_TERM_KEYS = {
    "warrantyYears": "warranty_years",
    "cmcYears": "cmc_years",
    "paymentDays": "payment_days",
    "leadTimeDays": "lead_time_days",
}


def _context(db: Session, room: Room) -> dict[str, Any]:
    rows = db.execute(
        text("""
        SELECT i.id, i.qty, s.category, s.list_price_paise, s.code, s.attrs
          FROM rfq_item i JOIN sku s ON s.id = i.sku_id
         WHERE i.rfq_id = :rfq ORDER BY s.code"""),
        {"rfq": room.rfq.id},
    ).all()
    place = (
        db.execute(
            text("SELECT city FROM indian_pincodes WHERE pincode = :p"),
            {"p": room.rfq.delivery_pincode},
        ).first()
        if room.rfq.delivery_pincode
        else None
    )
    kind = db.execute(
        text("SELECT kind FROM tenant_directory() WHERE id = :t"), {"t": room.buyer_id}
    ).scalar()
    quote = (
        db.execute(
            text("""
        SELECT lines, warranty_years, cmc_years, cmc_annual_paise, lead_time_days, created_at
          FROM quote WHERE rfq_id = :rfq AND tenant_id = :oem AND is_current"""),
            {"rfq": room.rfq.id, "oem": room.oem_id},
        )
        .mappings()
        .first()
    )
    competing = (
        db.execute(
            text("SELECT count(*) FROM rfq_recipient WHERE rfq_id = :rfq"), {"rfq": room.rfq.id}
        ).scalar()
        or 2
    )
    return {
        "items": rows,
        "city": place.city if place else "",
        "kind": kind or "",
        "quote": quote,
        "competing": max(1, competing if room.side == "buyer" else 2),
    }


def _quote_offer(quote) -> dict[str, Any]:
    """The OEM's current quote as an offer: net unit prices and the terms it states (a
    term left at 0 was not offered)."""
    terms = {
        key: quote[column]
        for key, column in (
            ("warrantyYears", "warranty_years"),
            ("cmcYears", "cmc_years"),
            ("leadTimeDays", "lead_time_days"),
        )
        if quote[column]
    }
    if quote["cmc_annual_paise"] and "cmcYears" not in terms:
        terms["cmcYears"] = 0
    return {
        "side": "oem",
        "at": quote["created_at"].isoformat(),
        "units": {
            li["itemId"]: max(1, li["netPaise"] // max(1, li["qty"])) for li in quote["lines"]
        },
        "terms": terms,
        "total": sum(li["netPaise"] for li in quote["lines"]),
    }


def offers_so_far(messages: list[dict], quote) -> list[dict[str, Any]]:
    """The quote and every counter-offer, oldest first: side, unit price per RFQ item,
    the terms each states and its total."""
    offers = [_quote_offer(quote)] if quote else []
    offers += [
        {
            "side": m["side"],
            "at": m["createdAt"],
            "units": {li["itemId"]: li["unitPricePaise"] for li in m["offer"]["lines"]},
            "terms": m["offer"].get("terms") or {},
            "total": m["offer"]["totalPaise"],
        }
        for m in messages
        if m["kind"] == "counter"
    ]
    return sorted(offers, key=lambda o: datetime.fromisoformat(o["at"]))


def _terms_on_table(offers: list[dict], quote, items, required_by) -> OfferTerms:
    """The quote's terms as changed by each counter since; the CMC year priced from the
    quote, else from the catalog's rates (`attrs.cmcAnnualPaise` per unit or
    `attrs.cmcRatePct` of list a year)."""
    stated: dict[str, int] = {}
    for offer in offers:
        stated.update({_TERM_KEYS[k]: v for k, v in offer["terms"].items() if k in _TERM_KEYS})
    cmc_rate, source = (quote["cmc_annual_paise"] if quote else 0) or None, "quote"
    if cmc_rate is None:
        source = "catalog"
        cmc_rate = sum(_catalog_cmc(item) for item in items) or None
    for years in ("warranty_years", "cmc_years"):  # the model knows up to 10 years
        if years in stated:
            stated[years] = min(stated[years], 10)
    return OfferTerms(
        **stated,
        cmc_annual_paise=cmc_rate,
        cmc_rate_source=source,
        required_by=required_by,
        today=today_ist(),
    )


def _catalog_cmc(item) -> int:
    attrs = item.attrs or {}
    per_unit = attrs.get("cmcAnnualPaise")
    if isinstance(per_unit, int) and per_unit > 0:
        return per_unit * item.qty
    pct = attrs.get("cmcRatePct")
    if isinstance(pct, int | float) and 0 < pct <= 100:
        return round(item.list_price_paise * pct / 100) * item.qty
    return 0


def suggest(db: Session, room: Room, weighs: str | None = None) -> dict[str, Any]:
    """A coach tip for the actor's side on the offer on the table, posted into the room
    (only that side sees it); `weighs` names the counter-offer that asked for it unasked
    (see flows.py). Raises Conflict when the room is closed or there is no offer yet."""
    _live(room)
    ctx = _context(db, room)
    offers = offers_so_far(thread(db, room), ctx["quote"])
    if not offers:
        raise Conflict(
            "There is no offer to weigh yet"
            + (": wait for the OEM's quote" if room.side == "buyer" else "")
        )
    units = offers[-1]["units"]
    terms = _terms_on_table(offers, ctx["quote"], ctx["items"], room.rfq.required_by)
    earlier = (
        _terms_on_table(offers[:-1], ctx["quote"], ctx["items"], room.rfq.required_by)
        if len(offers) > 1
        else None
    )
    tier = delivery_tier(room.rfq.delivery_pincode, ctx["city"])
    lines = [
        (
            QuoteLine(
                category=item.category,
                list_price_paise=max(1, item.list_price_paise),
                quantity=item.qty,
                month=terms.today.month,
                city_tier=tier,
                buyer_type=buyer_type_of(ctx["kind"]),
                warranty_years=_or(terms.warranty_years, STANDARD_WARRANTY.get(item.category, 1)),
                cmc_years=_or(terms.cmc_years, 0),
                payment_days=_or(terms.payment_days, 30),
                competing_quotes=ctx["competing"],
            ),
            units[str(item.id)],
        )
        for item in ctx["items"]
        if str(item.id) in units
    ]
    if not lines:
        raise Conflict("The offer on the table prices none of the RFQ's lines")
    history = [{"side": o["side"], "amount_paise": o["total"]} for o in offers]
    tip = suggest_quote_counter(lines, room.side, history, terms=terms, earlier=earlier)
    tip["codes"] = [item.code for item in ctx["items"] if str(item.id) in units]
    if weighs:
        tip["weighs"] = weighs
    message = post_tip(db, room, tip)
    return {**tip, "messageId": message["id"], "seq": message["seq"]}


def _or(value: int | None, default: int) -> int:
    return default if value is None else value
