"""Negotiation rooms: one thread per RFQ and invited OEM, shared by the buyer and that OEM.

A thread holds messages, counter-offers (structured: a unit price per RFQ line and the
terms) and the coach's tips (seen only by the side that asked). Each side stamps when it
read the other side's messages; those stamps are the read receipts. Every new message
is announced (NOTIFY `negotiation_changed`), so both sides see it at once.

Posting needs a live RFQ (open or negotiating); reading a closed thread stays possible.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor, TenantKind
from services.common.roles import BUYERS, SELLERS
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.rfq.models import Rfq
from services.rfq.quotes import MAX_PAISE
from services.rfq.service import rfq_items

LIVE = ("open", "negotiating")
MAX_BODY = 2000
SIDE_ROLES = {"buyer": BUYERS, "oem": SELLERS}


@dataclass(frozen=True)
class Room:
    rfq: Rfq
    buyer_id: uuid.UUID
    oem_id: uuid.UUID
    side: str  # the actor's side: "buyer" or "oem"

    @property
    def key(self) -> dict[str, Any]:
        return {"rfq": self.rfq.id, "buyer": self.buyer_id, "oem": self.oem_id}


def open_room(
    db: Session, actor: Actor, rfq_id: uuid.UUID, oem_id: uuid.UUID | None = None
) -> Room:
    """The thread between the RFQ's buyer and one invited OEM, seen from the actor's side.
    A buyer names the OEM; an OEM's thread is its own. Raises NotFound when the actor may
    not see the RFQ or the OEM was not invited, Forbidden for other roles."""
    rfq = db.get(Rfq, rfq_id)
    if rfq is None:
        raise NotFound("No such RFQ, or it was not sent to you")
    if actor.tenant_id == rfq.tenant_id:
        side = "buyer"
        if oem_id is None:
            raise Invalid("oemId", "name the OEM whose thread to open")
    elif actor.tenant_kind == TenantKind.OEM:
        if oem_id is not None and oem_id != actor.tenant_id:
            raise NotFound("No such thread among yours")
        side, oem_id = "oem", actor.tenant_id
    else:
        raise Forbidden("only the RFQ's buyer and the OEMs it was sent to negotiate")
    if not actor.roles & SIDE_ROLES[side]:
        raise Forbidden(f"your roles cannot negotiate for the {side}")
    invited = db.execute(
        text("SELECT 1 FROM rfq_recipient WHERE rfq_id = :rfq AND oem_tenant_id = :oem"),
        {"rfq": rfq_id, "oem": oem_id},
    ).first()
    if invited is None:
        raise NotFound("That OEM was not sent this RFQ")
    return Room(rfq, rfq.tenant_id, oem_id, side)


def _live(room: Room) -> None:
    if room.rfq.status not in LIVE:
        raise Conflict(f"The RFQ is {room.rfq.status}; the room is closed for new messages")


def _body(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise Invalid("body", "write a message")
    if len(body) > MAX_BODY:
        raise Invalid("body", f"at most {MAX_BODY} characters")
    return body


def _insert(
    db: Session,
    room: Room,
    actor: Actor | None,
    side: str,
    kind: str,
    body: str,
    offer: dict | None,
    audience: str = "both",
) -> dict[str, Any]:
    row = (
        db.execute(
            text("""
        INSERT INTO negotiation_message (rfq_id, buyer_tenant_id, oem_tenant_id,
               author_user_id, side, audience, kind, body, offer)
        VALUES (:rfq, :buyer, :oem, :author, :side, :audience, :kind, :body,
                CAST(:offer AS jsonb))
        RETURNING *"""),
            {
                **room.key,
                "author": actor.user_id if actor else None,
                "side": side,
                "audience": audience,
                "kind": kind,
                "body": body,
                "offer": json.dumps(offer) if offer is not None else None,
            },
        )
        .mappings()
        .one()
    )
    return message_json(row)


def post_message(db: Session, actor: Actor, room: Room, body: str) -> dict[str, Any]:
    """A plain message from the actor's side."""
    _live(room)
    return _insert(db, room, actor, room.side, "message", _body(body, required=True), None)


def check_offer(items: list[dict], offer: Any) -> dict[str, Any]:
    """A counter-offer as stored: a unit price (paise, after discount, before GST) for
    every RFQ line, optional terms, and the total. Raises Invalid naming the field."""
    if not isinstance(offer, dict):
        raise Invalid("offer", "must be an object with lines and terms")
    lines = offer.get("lines")
    if not isinstance(lines, list) or not lines:
        raise Invalid("offer.lines", "give a unit price for every line of the RFQ")
    by_item: dict[str, dict] = {}
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise Invalid(f"offer.lines.{i}", "must be an object with item and unitPricePaise")
        ref = str(line.get("item") or line.get("itemId") or line.get("sku") or "").strip()
        item = next(
            (
                it
                for it in items
                if ref in (it["itemId"], it["skuId"]) or ref.upper() == it["skuCode"].upper()
            ),
            None,
        )
        if item is None:
            raise Invalid(f"offer.lines.{i}.item", f"{ref or 'nothing'} is not a line of this RFQ")
        unit = line.get("unitPricePaise")
        if isinstance(unit, bool) or not isinstance(unit, int) or not 0 < unit <= MAX_PAISE:
            raise Invalid(
                f"offer.lines.{i}.unitPricePaise", "must be a whole number of paise above zero"
            )
        by_item[item["itemId"]] = {
            "itemId": item["itemId"],
            "skuCode": item["skuCode"],
            "qty": item["qty"],
            "unitPricePaise": unit,
        }
    missing = [it["skuCode"] for it in items if it["itemId"] not in by_item]
    if missing:
        raise Invalid("offer.lines", f"price every line; missing: {', '.join(missing)}")
    terms = {}
    for key, top in (
        ("warrantyYears", 10),
        ("cmcYears", 10),
        ("leadTimeDays", 365),
        ("paymentDays", 180),
    ):
        value = (offer.get("terms") or {}).get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise Invalid(f"offer.terms.{key}", f"must be a whole number from 0 to {top}")
        terms[key] = value
    ordered = [by_item[it["itemId"]] for it in items]
    return {
        "lines": ordered,
        "terms": terms,
        "totalPaise": sum(li["unitPricePaise"] * li["qty"] for li in ordered),
    }


def post_counter(
    db: Session, actor: Actor, room: Room, offer: Any, body: str = ""
) -> dict[str, Any]:
    """A counter-offer from the actor's side (see check_offer); `CounterOffered` emitted."""
    _live(room)
    stored = check_offer(rfq_items(db, room.rfq.id), offer)
    message = _insert(db, room, actor, room.side, "counter", _body(body, required=False), stored)
    emit(
        db,
        actor,
        "CounterOffered",
        "rfq",
        room.rfq.id,
        {
            "oemId": str(room.oem_id),
            "side": room.side,
            "totalPaise": stored["totalPaise"],
            "messageId": message["id"],
        },
    )
    return message


def post_tip(db: Session, room: Room, tip: dict[str, Any]) -> dict[str, Any]:
    """A coach tip into the room, for the side that asked only."""
    return _insert(db, room, None, "coach", "coachTip", "", tip, audience=room.side)


def thread(db: Session, room: Room, after: int = 0, limit: int = 500) -> list[dict[str, Any]]:
    """The messages the actor's side may see, oldest first, after sequence `after`."""
    rows = db.execute(
        text("""
        SELECT * FROM negotiation_message
         WHERE rfq_id = :rfq AND oem_tenant_id = :oem AND seq > :after
         ORDER BY seq LIMIT :limit"""),
        {"rfq": room.rfq.id, "oem": room.oem_id, "after": after, "limit": limit},
    ).mappings()
    return [message_json(r) for r in rows]


def message(db: Session, message_id: uuid.UUID) -> dict[str, Any] | None:
    """One message, if the actor's organisation may see it."""
    row = (
        db.execute(text("SELECT * FROM negotiation_message WHERE id = :id"), {"id": message_id})
        .mappings()
        .first()
    )
    return message_json(row) if row else None


def mark_read(db: Session, room: Room) -> int:
    """Stamp the other side's unread messages as read by the actor's side (the receipts
    the other side sees). Returns how many were stamped."""
    column = "read_by_buyer_at" if room.side == "buyer" else "read_by_oem_at"
    other = "oem" if room.side == "buyer" else "buyer"
    stamped = db.execute(
        text(f"""
        UPDATE negotiation_message SET {column} = now()
         WHERE rfq_id = :rfq AND oem_tenant_id = :oem AND side = :other
           AND {column} IS NULL"""),
        {**room.key, "other": other},
    ).rowcount
    if stamped:
        db.execute(
            text("SELECT pg_notify('negotiation_changed', :payload)"),
            {
                "payload": json.dumps(
                    {
                        "rfqId": str(room.rfq.id),
                        "oemId": str(room.oem_id),
                        "kind": "read",
                        "side": room.side,
                    }
                )
            },
        )
    return stamped


def message_json(row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "seq": row["seq"],
        "rfqId": str(row["rfq_id"]),
        "oemId": str(row["oem_tenant_id"]),
        "side": row["side"],
        "kind": row["kind"],
        "audience": row["audience"],
        "body": row["body"],
        "offer": row["offer"],
        "authorId": str(row["author_user_id"]) if row["author_user_id"] else None,
        "createdAt": row["created_at"].isoformat(),
        "readByBuyerAt": row["read_by_buyer_at"].isoformat() if row["read_by_buyer_at"] else None,
        "readByOemAt": row["read_by_oem_at"].isoformat() if row["read_by_oem_at"] else None,
    }
