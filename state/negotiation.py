"""A negotiation room in the browser: the thread, live (heard through the process's one
listener, services.events.live), with read receipts, counter-offers and the coach."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import reflex as rx

from services.actor import Actor
from services.common.clock import IST
from services.common.money import format_inr, rupees_to_paise
from services.db import tenant_session
from services.errors import DomainError, Invalid
from services.events.live import RESYNC, TooManyLive, hub
from services.negotiation import coach
from services.negotiation.agreement import accept_offer, offer_on_table
from services.negotiation.service import (
    mark_read,
    open_room,
    post_counter,
    post_message,
    thread,
)
from services.rfq.service import rfq_items
from services.tenancy.service import directory
from state.auth import AuthState
from state.guard import guarded
from state.live import follow

ROUTE = "/negotiation/room"
SIDE_NAMES = {"buyer": "Buyer", "oem": "OEM", "coach": "Coach"}
TERM_LABELS = (
    ("warrantyYears", "{} y warranty"),
    ("cmcYears", "{} y CMC"),
    ("leadTimeDays", "delivery in {} days"),
    ("paymentDays", "{} days' credit"),
)


def terms_text(terms: dict) -> str:
    """Terms in words: "3 y warranty, 7 y CMC, delivery in 90 days"."""
    return ", ".join(label.format(terms[key]) for key, label in TERM_LABELS if key in terms)


def _hhmm(stamp: str | None) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %H:%M") if stamp else ""


def _unit_price(typed: str) -> int:
    """A unit price typed in rupees as paise; an offer of nothing is no offer."""
    paise = rupees_to_paise(typed, "unit price")
    if paise <= 0:
        raise Invalid("unit price", "must be above zero")
    return paise


@dataclass
class MessageView:
    """One message as the room shows it."""

    id: str = ""
    kind: str = ""
    mine: bool = False
    body: str = ""
    who: str = ""
    at: str = ""
    receipt: str = ""
    total: str = ""
    terms: str = ""
    band: str = ""
    counter: str = ""
    position: str = ""
    action: str = ""
    offer_lines: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    tip_terms: list[str] = field(default_factory=list)
    basis: str = ""
    confidence: str = ""
    flags: list[str] = field(default_factory=list)


class NegotiationState(AuthState):
    rfq_id: str = ""
    oem_id: str = ""
    side: str = ""
    title: str = ""
    counterpart: str = ""
    status: str = ""
    messages: list[MessageView] = []
    draft: str = ""
    lines: list[dict[str, str]] = []  # the counter-offer form: one row per RFQ line
    warranty: str = ""
    cmc: str = ""
    lead: str = ""
    table: dict[str, str] = {}  # the offer on the table, as the room shows it
    live: bool = False
    _last_seq: int = 0
    _listening: bool = False
    _following: tuple[str, str] = ("", "")

    def _room(self, db, actor):
        oem = uuid.UUID(self.oem_id) if self.oem_id else None
        return open_room(db, actor, uuid.UUID(self.rfq_id), oem)

    def _reload(self, stamp: bool = True) -> None:
        actor = self._allowed(ROUTE)
        if actor is None or not self.rfq_id:
            return
        with tenant_session(actor) as db:
            room = self._room(db, actor)
            if stamp:
                mark_read(db, room)
            found = thread(db, room)
            on_table = offer_on_table(db, room)
            names = directory(db)
            items = rfq_items(db, room.rfq.id) if not self.lines else None
        self.side, self.status = room.side, room.rfq.status
        self.title = f"{room.rfq.label} · {room.rfq.title}"
        other = room.oem_id if room.side == "buyer" else room.buyer_id
        self.counterpart = names.get(other, ("", ""))[0]
        self.messages = [self._view(m) for m in found]
        self.table = self._table(on_table)
        self._last_seq = found[-1]["seq"] if found else 0
        if items is not None:
            self.lines = [
                {
                    "itemId": i["itemId"],
                    "code": i["skuCode"],
                    "name": i["skuName"],
                    "qty": str(i["qty"]),
                    "price": "",
                }
                for i in items
            ]
            self._prefill(found)

    def _prefill(self, found: list[dict]) -> None:
        """Start the counter-offer form from the last counter-offer on the table."""
        counters = [m for m in found if m["kind"] == "counter"]
        if not counters:
            return
        offer = counters[-1]["offer"]
        units = {li["itemId"]: li["unitPricePaise"] for li in offer["lines"]}
        self.lines = [
            {
                **li,
                "price": f"{units[li['itemId']] / 100:.0f}"
                if li["itemId"] in units
                else li["price"],
            }
            for li in self.lines
        ]
        self.warranty = str(offer.get("terms", {}).get("warrantyYears", "") or "")
        self.cmc = str(offer.get("terms", {}).get("cmcYears", "") or "")
        self.lead = str(offer.get("terms", {}).get("leadTimeDays", "") or "")

    def _table(self, table: dict | None) -> dict[str, str]:
        if table is None:
            return dict.fromkeys(
                ("offerId", "what", "price", "terms", "agreed", "canAccept", "mine"), ""
            )
        maker = "You" if table["side"] == self.side else SIDE_NAMES[table["side"]]
        if table["isAgreed"]:
            what = f"Agreed: quote revision {table['revision']}"
        elif table["kind"] == "quote":
            what = f"{maker if maker == 'You' else 'The OEM'}: quote revision {table['revision']}"
        else:
            what = f"{maker if maker == 'You' else 'The ' + maker}: counter-offer"
        return {
            "offerId": table["offerId"],
            "what": what,
            "price": format_inr(table["netPaise"]) + " before GST",
            "terms": terms_text(table["terms"]),
            "agreed": "yes" if table["isAgreed"] else "",
            "canAccept": "yes" if table["canAccept"] else "",
            "mine": "yes" if table["side"] == self.side and not table["isAgreed"] else "",
        }

    def _view(self, m: dict) -> MessageView:
        mine = m["side"] == self.side
        other_read = m["readByOemAt"] if self.side == "buyer" else m["readByBuyerAt"]
        view = {
            "id": m["id"],
            "kind": m["kind"],
            "mine": mine,
            "body": m["body"],
            "who": "Coach (only you see this)"
            if m["kind"] == "coachTip"
            else "You"
            if mine
            else f"{SIDE_NAMES[m['side']]} · {self.counterpart}",
            "at": _hhmm(m["createdAt"]),
            "receipt": ("Read " + _hhmm(other_read))
            if mine and other_read
            else ("Sent" if mine else ""),
        }
        if m["kind"] == "counter":
            offer = m["offer"]
            view["total"] = format_inr(offer["totalPaise"])
            view["offer_lines"] = [
                f"{li['skuCode']} × {li['qty']} at {format_inr(li['unitPricePaise'])}"
                for li in offer["lines"]
            ]
            view["terms"] = terms_text(offer.get("terms", {}))
        elif m["kind"] == "accept":
            agreed = m["offer"] or {}
            view["total"] = format_inr(agreed.get("netPaise", 0))
            view["terms"] = terms_text(agreed.get("terms", {}))
        elif m["kind"] == "coachTip":
            tip = m["offer"] or {}
            view["band"] = (tip.get("band") or {}).get("text", "")
            view["action"] = tip.get("action", "")
            if view["action"] == "counter":  # wait and hold name the price in their reason
                view["counter"] = (tip.get("counter") or {}).get("text", "")
            view["position"] = (tip.get("position") or {}).get("label", "").replace("_", " ")
            view["reasons"] = list(tip.get("reasons", []))
            view["tip_terms"] = [t["text"] for t in tip.get("terms", []) if t.get("text")]
            view["basis"] = (tip.get("basis") or {}).get("text", "")
            level = (tip.get("confidence") or {}).get("level", "")
            view["confidence"] = f"{level} confidence" if level else ""
            view["flags"] = [f["text"] for f in tip.get("flags", []) if f.get("text")]
        return MessageView(**view)

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        params = self.router.page.params
        self.rfq_id, self.oem_id = params.get("rfq_id", ""), params.get("oem_id", "")
        self.lines, self.draft, self.warranty, self.cmc, self.lead = [], "", "", "", ""
        self.table = {}
        try:
            self._reload()
        except (DomainError, ValueError):
            self.status = "missing"
            return
        return NegotiationState.listen

    @rx.event
    def set_draft(self, value: str):
        self.draft = value

    @rx.event
    def set_line_price(self, item_id: str, value: str):
        self.lines = [
            {**li, "price": value} if li["itemId"] == item_id else li for li in self.lines
        ]

    @rx.event
    def set_warranty(self, value: str):
        self.warranty = value

    @rx.event
    def set_cmc(self, value: str):
        self.cmc = value

    @rx.event
    def set_lead(self, value: str):
        self.lead = value

    def _post(self, actor: Actor, do) -> None:
        """Do `do(db, actor, room)` in this room, then show the thread as it now stands."""
        with tenant_session(actor) as db:
            do(db, actor, self._room(db, actor))
        self._reload(stamp=False)

    @rx.event
    @guarded(ROUTE)
    def send(self, actor: Actor):
        body = self.draft
        self._post(actor, lambda db, actor, room: post_message(db, actor, room, body))
        self.draft = ""

    @rx.event
    @guarded(ROUTE)
    def send_counter(self, actor: Actor):
        try:
            lines = [
                {"item": li["itemId"], "unitPricePaise": _unit_price(li["price"])}
                for li in self.lines
            ]
        except Invalid as exc:
            return rx.toast.error(
                "Give a unit price in rupees above zero, with at most two "
                f"decimals, for every line ({exc.reason})"
            )
        terms = {}
        for key, value in (
            ("warrantyYears", self.warranty),
            ("cmcYears", self.cmc),
            ("leadTimeDays", self.lead),
        ):
            if value.strip():
                if not value.strip().isdigit():
                    return rx.toast.error(
                        "Warranty and CMC are whole years, the lead time whole days"
                    )
                terms[key] = int(value)
        offer, body = {"lines": lines, "terms": terms}, self.draft
        self._post(actor, lambda db, actor, room: post_counter(db, actor, room, offer, body))
        self.draft = ""

    @rx.event
    @guarded(ROUTE)
    def accept(self, actor: Actor, offer_id: str):
        """Accept the offer on the table: it becomes the agreed quote revision."""
        offer = uuid.UUID(offer_id)
        done = {}
        self._post(
            actor,
            lambda db, actor, room: done.update(accept_offer(db, actor, room, offer)),
        )
        return rx.toast.success(
            f"Agreed at {format_inr(done['netPaise'])}: quote revision {done['revision']}"
        )

    @rx.event
    @guarded(ROUTE)
    def ask_coach(self, actor: Actor):
        self._post(actor, lambda db, actor, room: coach.suggest(db, room))

    @rx.event
    @guarded(ROUTE)
    def use_counter(self, actor: Actor, message_id: str):
        """Fill the counter-offer form with the coach's suggested line prices."""
        with tenant_session(actor) as db:
            found = [m for m in thread(db, self._room(db, actor)) if m["id"] == message_id]
        tip = found[0]["offer"] if found else {}
        codes = tip.get("codes", [])
        suggested = {
            codes[li["index"]]: li["counterPaise"]
            for li in tip.get("lines", [])
            if li.get("counterPaise") and li["index"] < len(codes)
        }
        if not suggested:
            return rx.toast.info("The coach suggests no change to the prices")
        self.lines = [
            {**li, "price": f"{suggested[li['code']] / 100:.0f}"} if li["code"] in suggested else li
            for li in self.lines
        ]

    def _still_here(self) -> bool:
        """Is this tab still in the room it listens for, with a session that may use it?"""
        return (
            self.router.page.path.startswith("/negotiation/")
            and (self.rfq_id, self.oem_id or "") == self._following
            and self._allowed(ROUTE) is not None
        )

    @rx.event(background=True)
    async def listen(self):
        """Reload the thread whenever it changes (any process), mark it read while open."""
        async with self:
            actor = self._allowed(ROUTE)  # the session first: nothing runs for a stranger
            if self._listening or actor is None or not self.rfq_id:
                return
            try:  # the room itself is checked under the actor before anything is heard
                with tenant_session(actor) as db:
                    room = self._room(db, actor)
            except (DomainError, ValueError):
                return
            self._listening = True
            self._following = (self.rfq_id, self.oem_id or "")
        rfq, oem = str(room.rfq.id), str(room.oem_id)
        try:
            sub = await hub().subscribe(
                "negotiation_changed",
                lambda body: body.get("rfqId") == rfq and body.get("oemId") == oem,
                owner=str(actor.user_id),
            )
        except TooManyLive as exc:
            async with self:
                self._listening = False
            yield rx.toast.error(exc.message)
            return
        try:
            async with sub:
                async with self:
                    self._reload()  # changes between the first load and subscribing
                    self.live = True
                await follow(self, sub, self._on_change)
        finally:
            async with self:
                self.live, self._listening = False, False

    async def _on_change(self, notices: list) -> bool:
        read_only = all(n is not RESYNC and n.get("kind") == "read" for n in notices)
        async with self:
            if not self._still_here():
                return False
            self._reload(stamp=not read_only)
        return True
