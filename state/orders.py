"""Orders for both sides: the seller ships with serials, the buyer receives and signs off
installation (the devices then join its registry)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import reflex as rx

from services.actor import Actor
from services.common.clock import IST
from services.common.money import format_inr
from services.db import tenant_session
from services.orders.service import get_order, list_orders, move_order, order_json
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/orders"
STEPS = ("confirmed", "shipped", "delivered", "installed")
ACTIONS = {
    "shipped": "Mark shipped",
    "delivered": "Confirm delivery",
    "installed": "Sign off installation",
    "cancelled": "Cancel the order",
}


@dataclass
class OrderLine:
    code: str = ""
    name: str = ""
    qty: str = ""
    serials: str = ""


@dataclass
class OrderView:
    id: str = ""
    number: str = ""
    status: str = ""
    counterpart: str = ""
    total: str = ""
    contract: str = ""
    sla: str = ""
    po: str = ""
    po_id: str = ""
    summary: str = ""
    updated: str = ""
    step: int = 0
    lines: list[OrderLine] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def _when(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %Y %H:%M")


class OrdersState(AuthState):
    orders: list[OrderView] = []
    selected: str = ""
    serials: dict[str, str] = {}  # SKU code -> serials typed for shipping

    def _view(self, body: dict, buyer: bool) -> OrderView:
        side = "buyer" if buyer else "seller"
        mine = {
            "shipped": "seller",
            "delivered": "buyer",
            "installed": "buyer",
            "cancelled": "buyer",
        }
        return OrderView(
            id=body["orderId"],
            number=body["number"],
            status=body["status"],
            counterpart=body["seller"] if buyer else body["buyer"],
            total=format_inr(body["totalPaise"]),
            contract=body["contract"],
            sla=body["slaTier"] or "",
            po=body["purchaseOrder"],
            po_id=body["purchaseOrderId"],
            summary=", ".join(f"{li['skuCode']} × {li['qty']}" for li in body["lines"]),
            updated=_when(body["updatedAt"]),
            step=STEPS.index(body["status"]) if body["status"] in STEPS else -1,
            lines=[
                OrderLine(
                    li["skuCode"], li["skuName"], str(li["qty"]), ", ".join(li.get("serials", []))
                )
                for li in body["lines"]
            ],
            timeline=[
                f"{_when(t['at'])} · {t['status']}" + (f" · {t['note']}" if t.get("note") else "")
                for t in body["timeline"]
            ],
            actions=[s for s in body["next"] if mine.get(s) == side],
        )

    def _refresh(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            found = list_orders(db, actor)
        self.orders = [self._view(o, o["buyerId"] == str(actor.tenant_id)) for o in found]
        if self.orders and self.selected not in {o.id for o in self.orders}:
            self.selected = self.orders[0].id

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self._refresh(actor)

    @rx.event
    def select(self, order_id: str):
        self.selected, self.serials = order_id, {}

    @rx.event
    def set_serials(self, code: str, value: str):
        self.serials = {**self.serials, code: value}

    @rx.event
    @guarded(ROUTE)
    def act(self, actor: Actor, status: str):
        if not self.selected:
            return
        serials = (
            {
                code: [s for s in re.split(r"[\s,;]+", text) if s]
                for code, text in self.serials.items()
            }
            if status == "shipped"
            else None
        )
        if status == "shipped":
            with tenant_session(actor) as db:
                codes = [
                    li["skuCode"]
                    for li in order_json(db, get_order(db, uuid.UUID(self.selected)))["lines"]
                ]
            serials = {code: serials.get(code, []) for code in codes}
        with tenant_session(actor) as db:
            order = move_order(db, actor, uuid.UUID(self.selected), status, serials)
            label = order.label
        self.serials = {}
        self._refresh(actor)
        if status == "installed":
            return rx.toast.success(f"{label} installed: the devices are in your registry")
        return rx.toast.success(f"{label} is {status}")
