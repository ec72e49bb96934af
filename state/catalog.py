"""The catalog page: search with facets and "Load more" for everyone; adding a SKU and
importing a CSV price list for OEM users."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.catalog import rules
from services.catalog.filters import Filters, spec_filters
from services.catalog.importer import MAX_BYTES, import_catalog, parse_attributes, parse_specs
from services.catalog.search import SearchPage, search_skus
from services.catalog.service import create_sku
from services.catalog.specs import spec_summary
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
        "specs": spec_summary(item["specs"]),
        "href": f"{CATALOG}/{item['id']}",
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


def _spec_entries(facets: list[dict], selected: list[str]) -> list[dict[str, str]]:
    """Specification facets as one flat list; the first value of each carries its title."""
    out = []
    for facet in facets:
        for n, e in enumerate(facet["values"]):
            choice = f"{facet['key']}:{e['value']}"
            out.append(
                {
                    "title": facet["label"] if n == 0 else "",
                    "choice": choice,
                    "label": e["label"],
                    "count": f"{e['count']:,}",
                    "selected": "yes" if choice in selected else "",
                }
            )
    return out


def _quoted(words: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)


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
    spec_selected: list[str] = []  # "fieldStrengthT:1.5"
    spec_entries: list[dict[str, str]] = []
    full_matches: int = 0
    unmatched: str = ""  # the typed words that match nothing, quoted
    did_you_mean: str = ""
    without_filters: int = 0

    def _filters(self) -> Filters:
        oems = tuple(uuid.UUID(v) for v in self.selected["oem"])
        return Filters(
            tuple(self.selected["category"]),
            tuple(self.selected["riskClass"]),
            oems,
            tuple(self.selected["priceBand"]),
            spec_filters(self.spec_selected),
        )

    def _show_hints(self, page: SearchPage) -> None:
        self.full_matches = page.full_matches
        self.unmatched = _quoted(page.unmatched)
        self.did_you_mean = page.suggestion.get("didYouMean", "")
        self.without_filters = page.suggestion.get("withoutFilters", 0)

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
        self.spec_entries = _spec_entries(page.spec_facets, self.spec_selected)
        if not more:
            self._show_hints(page)
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
        asked = self.router.page.params.get("q")
        if isinstance(asked, str) and asked.strip():
            self.q = asked.strip()[:200]
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
    def toggle_spec(self, actor: Actor, choice: str, on: bool):
        spec_filters([choice])  # refuses anything but name:figure of a facet specification
        chosen = [v for v in self.spec_selected if v != choice] + ([choice] if on else [])
        self.spec_selected = chosen
        return self._search(actor)

    @rx.event
    @guarded(CATALOG)
    def use_suggestion(self, actor: Actor):
        if not self.did_you_mean:
            return None
        self.q, self.did_you_mean = self.did_you_mean, ""
        return self._search(actor)

    @rx.event
    @guarded(CATALOG)
    def clear_filters(self, actor: Actor):
        self.selected = {facet: [] for facet in FACETS}
        self.spec_selected = []
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
        return any(self.selected.values()) or bool(self.spec_selected)

    @rx.var
    def match_note(self) -> str:
        """How the matches meet the words typed, when not all of them meet all."""
        if not self.total or not self.q.strip() or self.full_matches == self.total:
            return ""
        nothing = f"{self.unmatched} matches nothing in the catalog. " if self.unmatched else ""
        if not self.full_matches:
            return nothing + "No SKU has every word; those with the most come first."
        return nothing + (
            f"{self.full_matches:,} match every word and come first; "
            "then those that match some of them."
        )


class SkuFormState(AuthState):
    """An OEM user's "Add SKU" form."""

    @rx.event
    @guarded(CATALOG, roles=SELLERS, refused="Only OEM users add SKUs")
    def add(self, actor: Actor, form: dict):
        paise = rules.list_price_paise(form.get("price", ""), "price")
        attrs = parse_attributes(form.get("attributes", ""))
        category = rules.check_category(form.get("category", ""))
        specs = parse_specs(category, form.get("specs", ""))
        with tenant_session(actor) as db:
            sku = create_sku(
                db,
                actor,
                form.get("code", ""),
                form.get("name", ""),
                category,
                form.get("risk", ""),
                paise,
                form.get("gst") or "12",
                attrs,
                description=form.get("description", ""),
                datasheet_url=form.get("datasheet") or None,
                specs=specs,
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
