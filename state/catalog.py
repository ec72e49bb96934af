"""The catalog page: search with facets and "Load more" for everyone; adding a SKU and
importing a CSV price list for OEM users."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.catalog import rules
from services.catalog.importer import MAX_BYTES, import_catalog, parse_attributes
from services.catalog.search import Filters, search_skus
from services.catalog.service import create_sku
from services.common.money import format_inr
from services.common.roles import BUYERS, SELLERS
from services.db import tenant_session
from services.errors import DomainError, Invalid
from services.uploads import read_upload
from state.auth import AuthState
from state.guard import guarded

CATALOG = "/catalog"
PAGE_SIZE = 20
FACETS = ("category", "riskClass", "oem", "priceBand")
RISK_COLOURS = {"A": "green", "B": "blue", "C": "orange", "D": "red"}


def _card(item: dict) -> dict[str, str]:
    return {
        "id": item["id"],
        "code": item["code"],
        "name": item["name"],
        "category": item["category"],
        "risk": item["imdrClass"],
        "riskColour": RISK_COLOURS[item["imdrClass"]],
        "oem": item["oemName"],
        "price": format_inr(item["listPricePaise"]),
        "gst": f"{item['gstRate'].rstrip('0').rstrip('.')}% GST",
        "description": item["description"],
        "datasheet": item["datasheetUrl"] or "",
    }


def _entries(facet: list[dict], selected: list[str]) -> list[dict[str, str]]:
    return [
        {
            "value": e["value"],
            "label": e["label"],
            "count": f"{e['count']:,}",
            "selected": "yes" if e["value"] in selected else "",
        }
        for e in facet
    ]


class CatalogState(AuthState):
    """What a buyer (or OEM) searched, ticked and has loaded so far."""

    q: str = ""
    selected: dict[str, list[str]] = {facet: [] for facet in FACETS}
    items: list[dict[str, str]] = []
    facets: dict[str, list[dict[str, str]]] = {facet: [] for facet in FACETS}
    total: int = 0
    end_cursor: str = ""
    has_more: bool = False
    can_edit: bool = False
    can_request: bool = False  # buyers raise an RFQ from a SKU

    def _filters(self) -> Filters:
        oems = tuple(uuid.UUID(v) for v in self.selected["oem"])
        return Filters(
            tuple(self.selected["category"]),
            tuple(self.selected["riskClass"]),
            oems,
            tuple(self.selected["priceBand"]),
        )

    def _search(self, actor: Actor, more: bool = False):
        with tenant_session(actor) as db:
            page = search_skus(
                db,
                self.q,
                self._filters(),
                first=PAGE_SIZE,
                after=self.end_cursor if more else None,
            )
        cards = [_card(i) for i in page.items]
        self.items = self.items + cards if more else cards
        self.facets = {f: _entries(page.facets[f], self.selected[f]) for f in FACETS}
        self.total, self.has_more = page.total, page.has_next_page
        self.end_cursor = page.end_cursor or ""
        return None

    @rx.event
    def load(self):
        actor, redirect = self._enter(CATALOG)
        if redirect or actor is None:
            return redirect
        self.can_edit = actor.has_any(*SELLERS)
        self.can_request = actor.has_any(*BUYERS)
        try:
            return self._search(actor)
        except DomainError as exc:
            return rx.toast.error(exc.message)

    @rx.event
    @guarded(CATALOG)
    def type_query(self, actor: Actor, value: str):
        self.q = value
        return self._search(actor)

    @rx.event
    @guarded(CATALOG)
    def toggle(self, actor: Actor, facet: str, value: str, on: bool):
        if facet not in FACETS:
            return None
        chosen = [v for v in self.selected[facet] if v != value] + ([value] if on else [])
        self.selected = {**self.selected, facet: chosen}
        return self._search(actor)

    @rx.event
    @guarded(CATALOG)
    def clear_filters(self, actor: Actor):
        self.selected = {facet: [] for facet in FACETS}
        return self._search(actor)

    @rx.event
    @guarded(CATALOG)
    def load_more(self, actor: Actor):
        if not self.has_more:
            return None
        return self._search(actor, more=True)

    @rx.var
    def summary(self) -> str:
        shown = len(self.items)
        if not self.total:
            return ""
        return f"Showing {shown:,} of {self.total:,} SKUs"

    @rx.var
    def has_filters(self) -> bool:
        return any(self.selected.values())


class SkuFormState(AuthState):
    """An OEM user's "Add SKU" form."""

    @rx.event
    @guarded(CATALOG, roles=SELLERS, refused="Only OEM users add SKUs")
    def add(self, actor: Actor, form: dict):
        paise = rules.list_price_paise(form.get("price", ""), "price")
        attrs = parse_attributes(form.get("attributes", ""))
        with tenant_session(actor) as db:
            sku = create_sku(
                db,
                actor,
                form.get("code", ""),
                form.get("name", ""),
                form.get("category", ""),
                form.get("risk", ""),
                paise,
                form.get("gst") or "12",
                attrs,
                description=form.get("description", ""),
                datasheet_url=form.get("datasheet") or None,
            )
        return [
            rx.toast.success(f"{sku.code} is listed"),
            rx.call_script("document.getElementById('sku-form').reset()"),
            CatalogState.clear_filters,
        ]


class CatalogImportState(AuthState):
    """An OEM user's CSV price-list import and its per-row report."""

    running: bool = False
    file_name: str = ""
    summary: str = ""
    errors: list[dict[str, str]] = []

    @rx.event
    @guarded(CATALOG, roles=SELLERS, refused="Only OEM users import price lists")
    async def upload(self, actor: Actor, files: list[rx.UploadFile]):
        if not files:
            return rx.toast.error("Choose a .csv file first")
        self.file_name, self.running = files[0].name or "prices.csv", True
        try:
            data = await read_upload(files[0], MAX_BYTES, "price list")
            if not data:
                raise Invalid("file", "is empty")
            with tenant_session(actor) as db:
                report = import_catalog(db, actor, data)
        except DomainError as exc:
            self.summary, self.errors = "", []
            return rx.toast.error(exc.message)
        finally:
            self.running = False
        self.summary = (
            f"{report.rows:,} rows: {report.created:,} SKUs added, "
            f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
            f"{report.failed:,} refused"
        )
        self.errors = [{k: str(v) for k, v in e.items()} for e in report.errors[:500]]
        return CatalogState.clear_filters
