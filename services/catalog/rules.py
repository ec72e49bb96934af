"""Checks on SKU fields, shared by the catalog routes, the pages and the CSV importer.

Each check returns the value to store or raises Invalid naming the field as the API
spells it, so a user knows what to fix.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from services.catalog.models import GST_RATES, RISK_CLASSES
from services.catalog.vocab import CATEGORY_RISK
from services.common.money import rupees_to_paise
from services.errors import Invalid

CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")
MAX_PRICE_PAISE = 1_000_00_00_000_00  # ₹1,000 Cr: far above any device, below typos
MAX_ATTRS = 40
_CATEGORIES = {name.lower(): name for name in CATEGORY_RISK}


def check_code(code: Any) -> str:
    value = str(code or "").strip().upper()
    if not CODE.match(value):
        raise Invalid(
            "code",
            "is required: up to 64 letters, digits and . _ / - (starting with a letter or digit)",
        )
    return value


def check_name(name: Any) -> str:
    value = " ".join(str(name or "").split())
    if not value:
        raise Invalid("name", "is required")
    if len(value) > 200:
        raise Invalid("name", "is longer than 200 characters")
    return value


def check_category(category: Any) -> str:
    """A known category in its usual spelling ("ultrasound" → "Ultrasound"), or a new one
    as given, so facets do not split one category in two by case."""
    value = " ".join(str(category or "").split())
    if not value:
        raise Invalid("category", "is required")
    if len(value) > 80:
        raise Invalid("category", "is longer than 80 characters")
    return _CATEGORIES.get(value.lower(), value)


def check_risk_class(risk: Any) -> str:
    value = str(risk or "").strip().upper()
    if value not in RISK_CLASSES:
        raise Invalid("imdrClass", "must be A, B, C or D (Indian Medical Device Rules)")
    return value


def check_price_paise(paise: Any) -> int:
    if isinstance(paise, bool) or not isinstance(paise, int):
        raise Invalid("listPricePaise", "must be a whole number of paise")
    if paise < 0:
        raise Invalid("listPricePaise", "cannot be negative")
    if paise > MAX_PRICE_PAISE:
        raise Invalid("listPricePaise", "is above ₹1,000 Cr; check the digits")
    return paise


def list_price_paise(rupees: Any, field: str = "listPriceInr") -> int:
    """A list price typed in rupees ('12,50,000', '1250000.50') as paise, within the
    catalog's bounds. Raises Invalid naming `field` for anything else."""
    paise = rupees_to_paise(rupees, field)
    try:
        return check_price_paise(paise)
    except Invalid as exc:
        raise Invalid(field, exc.reason) from None


def check_gst_rate(rate: Any) -> Decimal:
    try:
        value = Decimal(str(rate).strip().rstrip("%"))
    except InvalidOperation:
        raise Invalid("gstRate", f"'{rate}' is not a percentage") from None
    if value not in GST_RATES:
        raise Invalid("gstRate", "must be a GST slab: 0, 5, 12, 18 or 28 per cent")
    return value.quantize(Decimal("0.01"))


def _check_attr_value(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > 200:
            raise Invalid(f"attrs.{key}", "is longer than 200 characters")
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return value[:50]
    raise Invalid(f"attrs.{key}", "must be text, a number, true/false or a list of those")


def check_attrs(attrs: Any) -> dict[str, Any]:
    """Attributes as a flat object (e.g. {"fieldStrengthT": 1.5, "portable": false})."""
    if not isinstance(attrs, dict):
        raise Invalid("attrs", "must be an object of names and values")
    if len(attrs) > MAX_ATTRS:
        raise Invalid("attrs", f"at most {MAX_ATTRS} attributes")
    checked = {}
    for key, value in attrs.items():
        name = str(key).strip()
        if not name or len(name) > 60:
            raise Invalid("attrs", f"attribute name '{key}' must be 1 to 60 characters")
        checked[name] = _check_attr_value(name, value)
    return checked


def check_description(description: Any) -> str:
    value = str(description or "").strip()
    if len(value) > 4000:
        raise Invalid("description", "is longer than 4,000 characters")
    return value


def check_datasheet_url(url: Any) -> str | None:
    value = str(url or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
        raise Invalid("datasheetUrl", "must be an http(s) link of at most 500 characters")
    return value
