"""RFQ pages: a buyer's RFQs and the new-RFQ form; an OEM's inbox of RFQs sent to it. One
RFQ (the comparison, the quote form, the award) is state/rfq_detail.py."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import reflex as rx

from services.actor import Actor, TenantKind
from services.catalog.models import Sku
from services.common.clock import IST
from services.common.money import format_inr
from services.db import tenant_session
from services.errors import Invalid
from services.rfq import service as rfqs
from services.rfq.flows import schedule_expiry
from services.tenancy.service import directory
from state.auth import AuthState
from state.guard import guarded

LIST, NEW, DETAIL = "/rfqs", "/rfqs/new", "/rfqs/detail"
PAGE_SIZE = 50


def ist(stamp: str | None) -> str:
    if not stamp:
        return "—"
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %Y %H:%M")


def whole(text: str, field: str) -> int:
    try:
        return int((text or "0").strip())
    except ValueError as exc:
        raise Invalid(field, "enter a whole number") from exc


def _row(r: dict) -> dict[str, str]:
    return {
        "id": r["rfqId"],
        "number": r["number"],
        "title": r["title"],
        "status": r["status"],
        "buyer": r["buyerName"],
        "expires": ist(r["expiresAt"]),
        "requiredBy": r["requiredBy"] or "—",
        "href": f"/rfqs/{r['rfqId']}",
    }


class RfqListState(AuthState):
    rows: list[dict[str, str]] = []
    is_oem: bool = False
    status: str = "all"
    limit: int = PAGE_SIZE
    has_more: bool = False

    def _fill(self, actor) -> None:
        with tenant_session(actor) as db:
            found = rfqs.list_rfqs(
                db, actor, None if self.status == "all" else self.status, limit=self.limit + 1
            )
        self.has_more = len(found) > self.limit
        self.rows = [_row(r) for r in found[: self.limit]]
        self.is_oem = actor.tenant_kind == TenantKind.OEM

    @rx.event
    @guarded(LIST)
    def more(self, actor: Actor):
        self.limit += PAGE_SIZE
        self._fill(actor)

    @rx.event
    def load(self):
        actor, redirect = self._enter(LIST)
        if redirect or actor is None:
            return redirect
        self._fill(actor)

    @rx.event
    @guarded(LIST)
    def set_status(self, actor: Actor, value: str):
        self.status, self.limit = value, PAGE_SIZE
        self._fill(actor)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class RfqNewState(AuthState):
    sku_query: str = ""
    sku_results: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []
    title: str = ""
    pincode: str = ""
    required_by: str = ""
    expires_on: str = ""
    terms: str = ""
    send_to_all: bool = True
    oems: list[dict[str, str]] = []
    chosen: list[str] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter(NEW)
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            orgs = directory(db)
        self.oems = sorted(
            ({"id": str(k), "name": v[0]} for k, v in orgs.items() if v[1] == TenantKind.OEM.value),
            key=lambda o: o["name"],
        )
        self.expires_on = self.expires_on or (datetime.now(IST) + timedelta(days=7)).strftime(
            "%Y-%m-%dT17:00"
        )
        wanted = self.router.url.query_parameters.get("sku", "")
        if wanted:  # from the catalog's "Request a quote"
            with tenant_session(actor) as db:
                sku = db.get(Sku, uuid.UUID(wanted)) if _is_uuid(wanted) else None
                names = directory(db)
            if (
                sku is not None
                and sku.is_active
                and all(line["id"] != str(sku.id) for line in self.lines)
            ):
                self.lines = [
                    *self.lines,
                    {
                        "id": str(sku.id),
                        "code": sku.code,
                        "name": sku.name,
                        "oem": names.get(sku.tenant_id, ("", ""))[0],
                        "price": format_inr(sku.list_price_paise),
                        "qty": "1",
                    },
                ]

    @rx.event
    @guarded(NEW)
    def search(self, actor: Actor, value: str):
        self.sku_query = value[:80]
        if len(self.sku_query.strip()) < 2:
            self.sku_results = []
            return
        with tenant_session(actor) as db:
            found = rfqs.find_skus(db, self.sku_query)
        self.sku_results = [
            {
                "id": s["skuId"],
                "code": s["code"],
                "name": s["name"],
                "oem": s["oemName"],
                "price": format_inr(s["listPricePaise"]),
            }
            for s in found
        ]

    @rx.event
    def add_line(self, sku: dict[str, str]):
        if all(line["id"] != sku["id"] for line in self.lines):
            self.lines = [*self.lines, {**sku, "qty": "1"}]
        self.sku_results, self.sku_query = [], ""

    @rx.event
    def set_qty(self, sku_id: str, qty: str):
        self.lines = [
            {**line, "qty": qty[:6]} if line["id"] == sku_id else line for line in self.lines
        ]

    @rx.event
    def remove_line(self, sku_id: str):
        self.lines = [line for line in self.lines if line["id"] != sku_id]

    @rx.event
    def toggle_oem(self, oem_id: str, checked: bool):
        self.chosen = [o for o in self.chosen if o != oem_id] + ([oem_id] if checked else [])

    @rx.event
    def set_field(self, name: str, value: str):
        if name in ("title", "pincode", "required_by", "expires_on", "terms"):
            setattr(self, name, value[:10_000])

    @rx.event
    def set_send_to_all(self, value: str):
        self.send_to_all = value == "all"

    def _command(self) -> rfqs.NewRfq:
        try:
            expires = datetime.fromisoformat(self.expires_on).replace(tzinfo=IST)
        except ValueError as exc:
            raise Invalid("expiresAt", "pick the date and time the RFQ closes") from exc
        try:
            required = date.fromisoformat(self.required_by) if self.required_by else None
        except ValueError as exc:
            raise Invalid("requiredBy", "pick a date") from exc
        items = [
            rfqs.RfqLine(line["id"], whole(line["qty"], f"items.{i}.qty"))
            for i, line in enumerate(self.lines)
        ]
        return rfqs.NewRfq(
            items=items,
            expires_at=expires,
            title=self.title,
            delivery_pincode=self.pincode.strip() or None,
            required_by=required,
            terms=self.terms,
            oem_ids=None if self.send_to_all else [uuid.UUID(o) for o in self.chosen],
        )

    @rx.event
    @guarded(NEW)
    def submit(self, actor: Actor, publish: bool):
        cmd = self._command()
        cmd.publish = publish
        with tenant_session(actor) as db:
            rfq = rfqs.create_rfq(db, actor, cmd)
        if rfq.status == "open":
            schedule_expiry(rfq)
        self.lines, self.title, self.terms, self.chosen = [], "", "", []
        return rx.redirect(f"/rfqs/{rfq.id}")
