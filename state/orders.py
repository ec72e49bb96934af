"""Orders for both sides, live: the seller ships to the site shown, with serials,
transporter and docket number; the buyer receives with a goods-received note and signs off
installation with an installation report (the devices then join its registry). An open
orders page follows every change to its organisation's orders (heard through the
process's one listener, services.events.live)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import reflex as rx

from services.actor import Actor
from services.common.clock import IST, today_ist
from services.common.money import format_inr
from services.db import tenant_session
from services.errors import Invalid
from services.events.live import TooManyLive, hub
from services.orders.acceptance import CHECKS, CONDITIONS, MAX_PHOTOS, attach_photo
from services.orders.service import get_order, list_orders, move_order, order_json
from services.uploads import PHOTO_BYTES, read_upload
from state.auth import AuthState
from state.guard import guarded
from state.live import follow

ROUTE = "/orders"
STEPS = ("confirmed", "shipped", "delivered", "installed")
ACTIONS = {
    "shipped": "Mark shipped",
    "delivered": "Confirm delivery",
    "installed": "Sign off installation",
    "cancelled": "Cancel the order",
}
CHECK_ITEMS = list(CHECKS.items())
FIELD_NAMES = {
    "transporter": "Transporter",
    "docketNumber": "Docket number",
    "receivedOn": "Received on",
    "condition": "Condition",
    "damageNotes": "Damage notes",
    "receivedBy": "Received by",
    "photos": "Photos",
    "installedOn": "Installed on",
    "checks": "Checks",
    "training": "Training given",
    "engineerName": "OEM engineer",
    "engineerSignature": "OEM engineer's signature",
    "buyerName": "Your representative",
    "buyerSignature": "Your representative's signature",
}
CONDITION_ITEMS = list(CONDITIONS.items())


@dataclass
class OrderLine:
    code: str = ""
    name: str = ""
    qty: str = ""
    serials: str = ""


@dataclass
class Photo:
    url: str = ""
    name: str = ""
    kind: str = ""


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
    ship_to: str = ""
    required_by: str = ""
    lead: str = ""
    late: str = ""  # "" when the lead time meets the required-by date
    shipment: str = ""
    grn: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    lines: list[OrderLine] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def _when(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %Y %H:%M")


def _day(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d %b %Y") if iso else ""


def _ship_to(place: dict | None) -> str:
    if not place:
        return ""
    where = ", ".join(p for p in (place["address"], place["city"], place["state"]) if p)
    return f"{place['name']} · {where} – {place['pincode']}"


def _grn(body: dict) -> list[str]:
    grn = body.get("goodsReceipt")
    if not grn:
        return []
    lines = [
        f"{grn['number']} · received {_day(grn['receivedOn'])} by {grn['receivedBy']}",
        CONDITIONS.get(grn["condition"], grn["condition"]),
    ]
    return lines + ([f"Damage notes: {grn['damageNotes']}"] if grn.get("damageNotes") else [])


def _report(body: dict) -> list[str]:
    report = body.get("installationReport")
    if not report:
        return []
    signed = [
        f"{side['name']} ({'drawn' if side['signature'].startswith('data:') else side['signature']})"
        for side in (report["engineer"], report["buyer"])
    ]
    return [
        f"Installed {_day(report['installedOn'])}",
        "Checks: " + "; ".join(CHECKS[c] for c in report["checks"]),
        f"Training: {report['training']}",
        "Signed by " + " and ".join(signed),
    ] + ([f"Notes: {report['notes']}"] if report.get("notes") else [])


def acceptance_lines(record: dict | None) -> tuple[list[str], list[str]]:
    """The goods-received note and installation report as lines of text (for a device)."""
    return (_grn(record), _report(record)) if record else ([], [])


def _lead(body: dict) -> tuple[str, str, str]:
    """(required by, lead time and when it falls due, the miss in words or "")."""
    lead = body.get("leadTime") or {}
    due = (
        f"{lead['leadTimeDays']} days' lead time: due {_day(lead['dueBy'])}"
        if lead.get("dueBy")
        else ""
    )
    late = f"misses the required-by date by {lead['daysLate']} days" if lead.get("daysLate") else ""
    return _day(lead.get("requiredBy")), due, late


class OrdersState(AuthState):
    orders: list[OrderView] = []
    selected: str = ""
    serials: dict[str, str] = {}  # SKU code -> serials typed for shipping
    condition: str = "good"
    photo_ids: list[str] = []  # photos kept for the record being filled in
    photo_names: list[str] = []
    form_error: str = ""
    live: bool = False
    last_change: str = ""
    _listening: bool = False

    def _view(self, body: dict, buyer: bool) -> OrderView:
        side = "buyer" if buyer else "seller"
        mine = {
            "shipped": "seller",
            "delivered": "buyer",
            "installed": "buyer",
            "cancelled": "buyer",
        }
        required, due, late = _lead(body)
        shipment = body.get("shipment")
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
            ship_to=_ship_to(body.get("shipTo")),
            required_by=required,
            lead=due,
            late=late,
            shipment=(
                f"Shipped {_day(shipment['shippedOn'])} by {shipment['transporter']}, "
                f"docket {shipment['docketNumber']}"
                if shipment
                else ""
            ),
            grn=_grn(body),
            report=_report(body),
            photos=[
                Photo(
                    f"/api/v1/orders/{body['orderId']}/photos/{p['photoId']}",
                    p["fileName"],
                    p["kind"],
                )
                for p in body.get("photos", [])
            ],
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

    @rx.var
    def today(self) -> str:
        return today_ist().isoformat()

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self._refresh(actor)
        return OrdersState.listen

    @rx.event
    def select(self, order_id: str):
        self.selected, self.serials = order_id, {}
        self.photo_ids, self.photo_names, self.form_error = [], [], ""

    @rx.event
    def set_serials(self, code: str, value: str):
        self.serials = {**self.serials, code: value}

    @rx.event
    def set_condition(self, value: str):
        self.condition = value if value in CONDITIONS else "good"

    @rx.event
    @guarded(ROUTE)
    async def upload_photos(self, actor: Actor, files: list[rx.UploadFile]):
        """Keep delivery or installation photos on the selected order, for its record."""
        if not self.selected or not files:
            return rx.toast.error("Choose a photo first")
        with tenant_session(actor) as db:
            order = get_order(db, uuid.UUID(self.selected))
        kind = "delivery" if order.status == "shipped" else "installation"
        for upload in files[: MAX_PHOTOS - len(self.photo_ids)]:
            data = await read_upload(upload, PHOTO_BYTES, "photo")
            with tenant_session(actor) as db:
                photo = attach_photo(db, actor, get_order(db, order.id), kind, upload.name, data)
                self.photo_ids = [*self.photo_ids, str(photo.id)]
                self.photo_names = [*self.photo_names, photo.file_name]
        return rx.clear_selected_files("order-photos")

    def _move(self, actor: Actor, status: str, record: dict, serials: dict | None = None):
        self.form_error = ""
        try:
            with tenant_session(actor) as db:
                label = move_order(
                    db, actor, uuid.UUID(self.selected), status, serials, record=record
                ).label
        except Invalid as exc:
            name = exc.field.split(".")[-1]
            self.form_error = f"{FIELD_NAMES.get(name, name)}: {exc.reason}"
            return None
        self.serials, self.photo_ids, self.photo_names = {}, [], []
        self._refresh(actor)
        if status == "installed":
            return rx.toast.success(f"{label} installed: the devices are in your registry")
        return rx.toast.success(f"{label} is {status}")

    @rx.event
    @guarded(ROUTE)
    def ship(self, actor: Actor, form: dict):
        if not self.selected:
            return
        with tenant_session(actor) as db:
            codes = [
                li["skuCode"]
                for li in order_json(db, get_order(db, uuid.UUID(self.selected)))["lines"]
            ]
        serials = {
            code: [s for s in re.split(r"[\s,;]+", self.serials.get(code, "")) if s]
            for code in codes
        }
        record = {"transporter": form.get("transporter"), "docketNumber": form.get("docket")}
        return self._move(actor, "shipped", record, serials)

    @rx.event
    @guarded(ROUTE)
    def deliver(self, actor: Actor, form: dict):
        if not self.selected:
            return
        record = {
            "receivedOn": form.get("received_on"),
            "condition": self.condition,
            "damageNotes": form.get("damage_notes"),
            "receivedBy": form.get("received_by"),
            "photoIds": self.photo_ids,
        }
        return self._move(actor, "delivered", record)

    @rx.event
    @guarded(ROUTE)
    def install(self, actor: Actor, form: dict):
        if not self.selected:
            return
        record = {
            "installedOn": form.get("installed_on"),
            "checks": [key for key in CHECKS if form.get(f"check_{key}")],
            "training": form.get("training"),
            "engineerName": form.get("engineer_name"),
            "engineerSignature": form.get("engineer_signature"),
            "buyerName": form.get("buyer_name"),
            "buyerSignature": form.get("buyer_signature"),
            "notes": form.get("notes"),
            "photoIds": self.photo_ids,
        }
        return self._move(actor, "installed", record)

    @rx.event
    @guarded(ROUTE)
    def cancel(self, actor: Actor):
        if self.selected:
            return self._move(actor, "cancelled", {})

    def _still_here(self) -> bool:
        return self.router.page.path == ROUTE and self._allowed(ROUTE) is not None

    @rx.event(background=True)
    async def listen(self):
        """Follow changes to this organisation's orders (placed or fulfilled) while the tab
        is on the page: the buyer sees the OEM ship without reloading."""
        async with self:
            actor = self._allowed(ROUTE)
            if self._listening or actor is None:
                return
            self._listening = True
        mine = {str(actor.tenant_id)}
        try:
            sub = await hub().subscribe(
                "order_changed",
                lambda body: bool(mine & {body.get("tenantId"), body.get("sellerId")}),
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
                    self._refresh(actor)
                    self.live = True
                await follow(self, sub, self._on_change)
        finally:
            async with self:
                self.live, self._listening = False, False

    async def _on_change(self, notices: list) -> bool:
        async with self:
            actor = self._allowed(ROUTE) if self.router.page.path == ROUTE else None
            if actor is None:
                return False
            self._refresh(actor)
            self.last_change = datetime.now(UTC).strftime("%H:%M:%S UTC")
        return True
