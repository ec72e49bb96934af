"""The coach in a negotiation room: `suggestCounterOffer(rfqId)`.

The offer on the table is the other side's latest counter-offer in the thread, else the
OEM's current quote. Each RFQ line becomes a pricing line (the SKU's category and list
price, the quantity, the delivery city's tier, the buyer's kind, the quote's warranty and
CMC years, the month); the price-band model says where the offer sits, what to counter
with, and which terms to trade. The tip is posted into the room for the asking side only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import IST
from services.errors import Conflict
from services.negotiation.service import Room, _live, post_tip, thread
from services.pricing.coach import suggest_quote_counter
from services.pricing.deals import QuoteLine, buyer_type_of, delivery_tier


def _context(db: Session, room: Room) -> dict[str, Any]:
    rows = db.execute(
        text("""
        SELECT i.id, i.qty, s.category, s.list_price_paise, s.code
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
        SELECT lines, warranty_years, cmc_years FROM quote
         WHERE rfq_id = :rfq AND tenant_id = :oem AND is_current"""),
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


def _on_table(room: Room, messages: list[dict], quote) -> tuple[dict[str, int], dict, list]:
    """Unit price per RFQ item on the table (from the other side), its terms, and the
    history of totals (oldest first) for the coach."""
    other = "oem" if room.side == "buyer" else "buyer"
    history = [
        {"side": m["side"], "amount_paise": m["offer"]["totalPaise"]}
        for m in messages
        if m["kind"] == "counter"
    ]
    counters = [m for m in messages if m["kind"] == "counter" and m["side"] == other]
    if counters:
        offer = counters[-1]["offer"]
        return (
            {li["itemId"]: li["unitPricePaise"] for li in offer["lines"]},
            offer.get("terms", {}),
            history,
        )
    if quote is None or room.side == "oem":
        raise Conflict(
            "There is no offer from the other side to weigh yet"
            + ("" if room.side == "oem" else ": wait for the OEM's quote")
        )
    units = {li["itemId"]: max(1, li["netPaise"] // max(1, li["qty"])) for li in quote["lines"]}
    quoted = [{"side": "oem", "amount_paise": sum(li["netPaise"] for li in quote["lines"])}]
    return units, {}, quoted + history


def suggest(db: Session, room: Room, weighs: str | None = None) -> dict[str, Any]:
    """A coach tip for the actor's side, posted into the room (only that side sees it);
    `weighs` names the counter-offer that asked for it unasked (see flows.py). Raises
    Conflict when the room is closed or there is no offer the coach can weigh."""
    _live(room)
    ctx = _context(db, room)
    units, terms, history = _on_table(room, thread(db, room), ctx["quote"])
    quote = ctx["quote"] or {}
    tier = delivery_tier(room.rfq.delivery_pincode, ctx["city"])
    month = datetime.now(IST).month
    lines = []
    for item in ctx["items"]:
        if str(item.id) not in units:
            continue
        lines.append(
            (
                QuoteLine(
                    category=item.category,
                    list_price_paise=max(1, item.list_price_paise),
                    quantity=item.qty,
                    month=month,
                    city_tier=tier,
                    buyer_type=buyer_type_of(ctx["kind"]),
                    warranty_years=terms.get("warrantyYears", quote.get("warranty_years") or 1),
                    cmc_years=terms.get("cmcYears", quote.get("cmc_years") or 0),
                    payment_days=terms.get("paymentDays", 30),
                    competing_quotes=ctx["competing"],
                ),
                units[str(item.id)],
            )
        )
    if not lines:
        raise Conflict("The offer on the table prices none of the RFQ's lines")
    tip = suggest_quote_counter(lines, room.side, history)
    tip["codes"] = [item.code for item in ctx["items"] if str(item.id) in units]
    if weighs:
        tip["weighs"] = weighs
    message = post_tip(db, room, tip)
    return {**tip, "messageId": message["id"], "seq": message["seq"]}
