"""The offer on the table in a negotiation room, and accepting it.

The offer on the table is the latest of the OEM's current quote and the last counter-offer
in the thread (from either side). The side that did not make it may accept it; the side
that made it cannot. Accepting turns it into a new revision of the OEM's quote with the
agreed net price and terms, marked as the agreed offer: that revision is what the buyer
awards. The room records the acceptance as a message both sides see.
"""

from __future__ import annotations

import json
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.common.clock import today_ist
from services.common.money import format_inr
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.negotiation.service import Room, _insert, _live
from services.rfq.models import Quote

TERM_KEYS = ("warrantyYears", "cmcYears", "leadTimeDays", "paymentDays")


def _current_quote(db: Session, room: Room) -> Quote | None:
    return db.exec(
        select(Quote).where(
            Quote.rfq_id == room.rfq.id, Quote.tenant_id == room.oem_id, Quote.is_current
        )
    ).first()


def _last_counter(db: Session, room: Room):
    return (
        db.execute(
            text("""
        SELECT id, seq, side, offer, created_at FROM negotiation_message
         WHERE rfq_id = :rfq AND oem_tenant_id = :oem AND kind = 'counter'
         ORDER BY seq DESC LIMIT 1"""),
            {"rfq": room.rfq.id, "oem": room.oem_id},
        )
        .mappings()
        .first()
    )


def _quote_terms(quote: Quote) -> dict[str, int]:
    terms = {
        "warrantyYears": quote.warranty_years,
        "cmcYears": quote.cmc_years,
        "leadTimeDays": quote.lead_time_days,
    }
    if "paymentDays" in (quote.service_terms or {}):
        terms["paymentDays"] = quote.service_terms["paymentDays"]
    return terms


def offer_on_table(db: Session, room: Room) -> dict[str, Any] | None:
    """The offer on the table seen from the actor's side: what it is (`kind` quote or
    counter, `offerId`), who made it (`side`), its net price, lines and terms (a counter's
    terms completed from the quote), whether it is agreed and whether this side may accept
    it. None when there is neither a quote nor a counter-offer."""
    quote, counter = _current_quote(db, room), _last_counter(db, room)
    if counter is not None and (quote is None or counter["created_at"] > quote.created_at):
        offer = counter["offer"]
        base = _quote_terms(quote) if quote else {}
        table = {
            "kind": "counter",
            "offerId": str(counter["id"]),
            "side": counter["side"],
            "netPaise": offer["totalPaise"],
            "lines": offer["lines"],
            "terms": base | {k: v for k, v in offer.get("terms", {}).items() if k in TERM_KEYS},
            "isAgreed": False,
            "revision": None,
        }
    elif quote is not None:
        table = {
            "kind": "quote",
            "offerId": str(quote.id),
            "side": quote.agreed_side if quote.is_agreed else "oem",
            "netPaise": quote.amount_paise,
            "gstPaise": quote.gst_paise,
            "lines": quote.lines,
            "terms": _quote_terms(quote),
            "isAgreed": quote.is_agreed,
            "revision": quote.revision,
        }
    else:
        return None
    in_running = quote is not None and quote.status == "submitted"
    table["quoteId"] = str(quote.id) if quote else None
    table["quoteStatus"] = quote.status if quote else None
    table["canAccept"] = (
        room.rfq.status in ("open", "negotiating")
        and in_running
        and not table["isAgreed"]
        and table["side"] != room.side
    )
    return table


def _paise(amount: Decimal) -> int:
    return int(amount.quantize(Decimal("1"), ROUND_HALF_UP))


def _agreed_fields(quote: Quote, table: dict[str, Any]) -> dict[str, Any]:
    """The agreed revision's price and terms: the quote's own, or the counter-offer's unit
    prices (net, GST at each line's rate in the quote) and terms over the quote's."""
    terms = table["terms"]
    fields = {
        "amount_paise": quote.amount_paise,
        "gst_paise": quote.gst_paise,
        "discount_pct": str(quote.discount_pct),
        "lines": quote.lines,
        "warranty_years": terms["warrantyYears"],
        "cmc_years": terms["cmcYears"],
        "lead_time_days": terms["leadTimeDays"] or quote.lead_time_days,
        "service_terms": {"paymentDays": terms["paymentDays"]} if "paymentDays" in terms else {},
    }
    if table["kind"] == "quote":
        return fields
    quoted = {line["itemId"]: line for line in quote.lines}
    lines = []
    for offered in table["lines"]:
        base = quoted[offered["itemId"]]
        net = offered["unitPricePaise"] * base["qty"]
        lines.append(
            base
            | {
                "unitPricePaise": offered["unitPricePaise"],
                "quotedUnitPricePaise": base["unitPricePaise"],
                "discountPct": "0.00",
                "grossPaise": net,
                "discountPaise": 0,
                "netPaise": net,
                "gstPaise": _paise(Decimal(net) * Decimal(base["gstRate"]) / 100),
            }
        )
    return fields | {
        "amount_paise": sum(line["netPaise"] for line in lines),
        "gst_paise": sum(line["gstPaise"] for line in lines),
        "discount_pct": "0",
        "lines": lines,
    }


def _offer_known(db: Session, room: Room, offer_id: uuid.UUID) -> bool:
    return (
        db.execute(
            text("""
        SELECT 1 FROM negotiation_message
         WHERE id = :id AND rfq_id = :rfq AND oem_tenant_id = :oem AND kind = 'counter'
        UNION ALL
        SELECT 1 FROM quote WHERE id = :id AND rfq_id = :rfq AND tenant_id = :oem"""),
            {"id": offer_id, "rfq": room.rfq.id, "oem": room.oem_id},
        ).first()
        is not None
    )


def _check_acceptable(db: Session, room: Room, offer_id: uuid.UUID) -> tuple[Quote, dict]:
    table = offer_on_table(db, room)
    if table is None or not _offer_known(db, room, offer_id):
        raise NotFound("No such offer in this room")
    if table["offerId"] != str(offer_id):
        raise Conflict(
            "That offer has been superseded; the offer on the table is "
            f"{format_inr(table['netPaise'])} from the {table['side']}"
        )
    if table["side"] == room.side:
        raise Forbidden("You made this offer; only the other side can accept it")
    if table["isAgreed"]:
        raise Conflict("This offer is already agreed")
    quote = _current_quote(db, room)
    if quote is None or quote.status != "submitted":
        raise Conflict("The OEM has no quote in the running to agree on; it must quote first")
    if quote.valid_until and quote.valid_until < today_ist():
        raise Conflict("The OEM's quote is past its validity; ask the OEM to revise it")
    return quote, table


def _agree(db: Session, quote: Quote, offer_id: uuid.UUID | None, fields: dict) -> uuid.UUID:
    try:
        return db.execute(
            text("SELECT quote_agree(:q, :m, CAST(:f AS jsonb))"),
            {"q": quote.id, "m": offer_id, "f": json.dumps(fields)},
        ).scalar_one()
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        reason = str(exc.orig).split("\n")[0]
        if state == "42501":
            raise Forbidden(reason) from exc
        if state == "22023":
            raise Invalid("offerId", reason) from exc
        raise Conflict(reason) from exc


def accept_offer(db: Session, actor: Actor, room: Room, offer_id: uuid.UUID) -> dict[str, Any]:
    """Accept the offer on the table (`offer_id`: a counter-offer's message id, or the OEM's
    current quote id) for the actor's side. Writes the agreed quote revision, an `accept`
    message in the room, an audit entry and `OfferAccepted`; returns the new revision.

    Raises NotFound (no such offer in this room), Forbidden (the actor's side made the
    offer), Conflict (superseded, already agreed, room closed, no quote in the running)."""
    _live(room)
    quote, table = _check_acceptable(db, room, offer_id)
    fields = _agreed_fields(quote, table)
    new_id = _agree(db, quote, offer_id if table["kind"] == "counter" else None, fields)
    db.expire_all()
    agreed = db.get(Quote, new_id)
    summary = {
        "accepts": str(offer_id),
        "acceptsKind": table["kind"],
        "offerSide": table["side"],
        "quoteId": str(agreed.id),
        "revision": agreed.revision,
        "netPaise": agreed.amount_paise,
        "gstPaise": agreed.gst_paise,
        "terms": _quote_terms(agreed),
    }
    body = f"Accepted {format_inr(agreed.amount_paise)}: agreed as quote revision {agreed.revision}"
    message = _insert(db, room, actor, room.side, "accept", body, summary)
    audit.record(
        db,
        actor,
        "quote.agree",
        "quote",
        agreed.id,
        f"{room.rfq.label}: revision {agreed.revision} agreed at {agreed.amount_paise} paise",
    )
    emit(
        db,
        actor,
        "OfferAccepted",
        "quote",
        agreed.id,
        {
            "rfqId": str(room.rfq.id),
            "oemId": str(room.oem_id),
            "buyerId": str(room.buyer_id),
            "side": room.side,
            "revision": agreed.revision,
            "netPaise": agreed.amount_paise,
            "messageId": message["id"],
        },
    )
    return summary | {"messageId": message["id"]}
