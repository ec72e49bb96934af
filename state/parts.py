"""The parts page: stock per hub against reorder points, low lines first in mind, the
forms that receive, transfer and adjust stock or set a reorder point, and the latest
movements of the ledger."""

from __future__ import annotations

import re
import uuid

import reflex as rx

from services.actor import Actor
from services.common.roles import STOCK_KEEPERS
from services.db import tenant_session
from services.errors import Invalid
from services.parts import movements, stock_levels
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/parts"
KINDS = {
    "receipt": "Received",
    "transfer_out": "Sent to another hub",
    "transfer_in": "Arrived from another hub",
    "adjustment": "Adjusted",
    "consumption": "Used on a job",
}


def _int(form: dict, key: str, name: str) -> int:
    raw = str(form.get(key) or "").strip().replace(",", "")
    if not re.fullmatch(r"[+-]?\d{1,7}", raw):
        raise Invalid(name, f"{name}: write a whole number")
    return int(raw)


def _hub(form: dict, key: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(form.get(key) or ""))
    except ValueError as exc:
        raise Invalid(name, f"{name}: choose a hub") from exc


def _stock_row(line: dict) -> dict[str, str]:
    point = line["reorderPoint"]
    return {
        "hub": line["hub"],
        "code": line["code"],
        "name": line["name"],
        "onHand": str(line["onHand"]),
        "reserved": str(line["reserved"]),
        "free": str(line["free"]),
        "reorder": "" if point is None else str(point),
        "low": "low" if line["isLow"] else "",
    }


def _movement_row(m: dict) -> dict[str, str]:
    detail = [m["reference"], m["batch"] and f"batch {m['batch']}", m["reason"]]
    if m["serials"]:
        detail.append(
            "serials " + ", ".join(m["serials"][:5]) + (" …" if len(m["serials"]) > 5 else "")
        )
    return {
        "at": m["at"],
        "what": KINDS.get(m["kind"], m["kind"]),
        "code": m["partCode"],
        "hub": m["hub"],
        "change": f"{m['qtyChange']:+d}",
        "after": str(m["onHandAfter"]),
        "detail": " · ".join(d for d in detail if d),
        "by": m["by"],
    }


class PartsState(AuthState):
    hubs: list[dict[str, str]] = []
    parts: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []
    low_lines: list[dict[str, str]] = []
    movements: list[dict[str, str]] = []
    hub_filter: str = "all"

    def _refresh(self, actor: Actor) -> None:
        hub = None if self.hub_filter == "all" else uuid.UUID(self.hub_filter)
        with tenant_session(actor) as db:
            choices = stock_levels.hubs_and_parts(db, actor)
            lines = stock_levels.stock_overview(db, actor, hub)
            low = stock_levels.low_stock(db, actor)
            moved = stock_levels.recent_movements(db, actor, 30, hub)
        self.hubs, self.parts = choices["hubs"], choices["parts"]
        self.lines = [_stock_row(line) for line in lines]
        self.low_lines = [_stock_row(line) for line in low]
        self.movements = [_movement_row(m) for m in moved]

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        if self.hub_filter != "all" and self.hub_filter not in {h["id"] for h in self.hubs}:
            self.hub_filter = "all"
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def filter_hub(self, actor: Actor, value: str):
        try:
            self.hub_filter = "all" if value == "all" else str(uuid.UUID(value))
        except ValueError:
            self.hub_filter = "all"
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE, roles=STOCK_KEEPERS, refused="Only dispatchers and service managers move stock")
    def receive(self, actor: Actor, form: dict):
        serials = [s for s in re.split(r"[\s,;]+", str(form.get("serials") or "")) if s]
        line = movements.ReceiptLine(
            str(form.get("part") or ""),
            _int(form, "qty", "Quantity"),
            str(form.get("batch") or ""),
            serials,
        )
        hub = _hub(form, "hub", "Hub")
        with tenant_session(actor) as db:
            movements.receive_stock(db, actor, hub, [line], str(form.get("reference") or ""))
        self._refresh(actor)
        return rx.toast.success(f"{line.qty} × {line.part_code} received")

    @rx.event
    @guarded(ROUTE, roles=STOCK_KEEPERS, refused="Only dispatchers and service managers move stock")
    def transfer(self, actor: Actor, form: dict):
        qty, code = _int(form, "qty", "Quantity"), str(form.get("part") or "")
        source, target = _hub(form, "from", "From hub"), _hub(form, "to", "To hub")
        with tenant_session(actor) as db:
            movements.transfer_stock(
                db, actor, source, target, code, qty, str(form.get("note") or "")
            )
        self._refresh(actor)
        return rx.toast.success(f"{qty} × {code} moved")

    @rx.event
    @guarded(ROUTE, roles=STOCK_KEEPERS, refused="Only dispatchers and service managers move stock")
    def adjust(self, actor: Actor, form: dict):
        change, code = _int(form, "change", "Change"), str(form.get("part") or "")
        hub = _hub(form, "hub", "Hub")
        with tenant_session(actor) as db:
            movements.adjust_stock(db, actor, hub, code, change, str(form.get("reason") or ""))
        self._refresh(actor)
        return rx.toast.success(f"{code} adjusted by {change:+d}")

    @rx.event
    @guarded(ROUTE, roles=STOCK_KEEPERS, refused="Only dispatchers and service managers move stock")
    def set_reorder(self, actor: Actor, form: dict):
        point, code = _int(form, "point", "Reorder point"), str(form.get("part") or "")
        hub = _hub(form, "hub", "Hub")
        with tenant_session(actor) as db:
            stock_levels.set_reorder_point(db, actor, hub, code, point)
        self._refresh(actor)
        return rx.toast.success(f"{code} now reorders at {point}")
