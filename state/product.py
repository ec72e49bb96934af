"""A product's page: one SKU as a buyer weighs it, with its specifications and the way to
ask its OEM for a quote."""

from __future__ import annotations

import uuid

import reflex as rx

from services.catalog.service import get_sku
from services.common.money import format_inr
from services.common.roles import BUYERS
from services.db import tenant_session
from services.errors import DomainError
from state.auth import AuthState
from state.catalog import RISK_COLOURS

PRODUCT = "/catalog/detail"
RISK_NAMES = {
    "A": "low risk",
    "B": "low to moderate risk",
    "C": "moderate to high risk",
    "D": "high risk",
}


class ProductState(AuthState):
    """The SKU the page shows, as text ready to draw."""

    info: dict[str, str] = {}
    specs: list[dict[str, str]] = []
    attrs: list[dict[str, str]] = []
    missing: bool = False
    can_request: bool = False

    @rx.event
    def load(self):
        actor, redirect = self._enter(PRODUCT)
        if redirect or actor is None:
            return redirect
        self.can_request = actor.has_any(*BUYERS)
        try:
            sku_id = uuid.UUID(str(self.router.page.params.get("sku_id", "")))
            with tenant_session(actor) as db:
                sku = get_sku(db, sku_id)
        except (ValueError, DomainError):
            self.missing, self.info, self.specs, self.attrs = True, {}, [], []
            return None
        self.missing = False
        self.info = {
            "id": sku["id"],
            "name": sku["name"],
            "code": sku["code"],
            "oem": sku["oemName"],
            "category": sku["category"],
            "risk": sku["imdrClass"],
            "riskColour": RISK_COLOURS[sku["imdrClass"]],
            "riskText": f"Class {sku['imdrClass']} ({RISK_NAMES[sku['imdrClass']]})",
            "price": format_inr(sku["listPricePaise"]),
            "gst": f"+ {sku['gstRate'].rstrip('0').rstrip('.')}% GST",
            "description": sku["description"] or "The OEM gives no description.",
            "datasheet": sku["datasheetUrl"] or "",
            "listed": "" if sku["isActive"] else "Withdrawn by the OEM",
            "quote": f"/rfqs/new?sku={sku['id']}",
            "search": f"/catalog?q={sku['category']}",
        }
        self.specs = [{"label": s["label"], "value": s["value"]} for s in sku["specLines"]]
        self.attrs = [
            {"label": _words(key), "value": _shown(value)} for key, value in sku["attrs"].items()
        ]
        return None


def _words(key: str) -> str:
    """'warrantyMonths' → 'Warranty months'."""
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in key).strip()
    return spaced[:1].upper() + spaced[1:]


def _shown(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
