"""Structured specifications of SKUs: the figures buyers compare (field strength of an MRI,
slice count of a CT, channels of an ECG machine or a patient monitor…).

Each category names the specifications it carries; each specification has a unit and a
sane range, so "1.5T", "1.5 T" and "1.5 tesla" are all stored as 1.5 and shown as
"1.5 T". Some are facets of the search where they matter (field strength when the result
is MRIs, slices for CT). The database renders the searchable ones with their unit in the
SKU's search text (sku_spec_text in migration 0014), so "1.5 T" finds them by words too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from services.errors import Invalid


@dataclass(frozen=True)
class Spec:
    """One specification: its label, unit (as shown after the figure), whole or not, range."""

    label: str
    unit: str
    whole: bool
    low: float
    high: float
    plural: str = ""  # the unit for more than one ("128 slices")

    def shown(self, value: Any) -> str:
        """'1.5 T', '128 slices', '12 channels'."""
        figure = f"{value:g}" if isinstance(value, float) else str(value)
        unit = self.plural if self.plural and value != 1 else self.unit
        return f"{figure} {unit}".strip()


SPECS: dict[str, Spec] = {
    "fieldStrengthT": Spec("Field strength", "T", False, 0.2, 11.7),
    "rfChannels": Spec("RF channels", "channel", True, 1, 256, "channels"),
    "slices": Spec("Slices", "slice", True, 1, 640, "slices"),
    "gantryBoreCm": Spec("Gantry bore", "cm", True, 50, 100),
    "channels": Spec("Channels", "channel", True, 1, 24, "channels"),
    "parameters": Spec("Parameters", "parameter", True, 1, 20, "parameters"),
    "screenInch": Spec("Screen", "inch", False, 2, 32),
    "probes": Spec("Probes", "probe", True, 1, 8, "probes"),
    "powerKw": Spec("Generator power", "kW", False, 1, 150),
    "flowLpm": Spec("Oxygen flow", "L/min", False, 1, 20),
    "testsPerHour": Spec("Throughput", "tests/h", True, 1, 5000),
}

# What each category states, the first being the one its search results are faceted by.
CATEGORY_SPECS: dict[str, tuple[str, ...]] = {
    "MRI": ("fieldStrengthT", "rfChannels"),
    "CT": ("slices", "gantryBoreCm"),
    "ECG machine": ("channels",),
    "Patient monitor": ("channels", "parameters", "screenInch"),
    "Ultrasound": ("probes",),
    "X-ray": ("powerKw",),
    "Oxygen concentrator": ("flowLpm",),
    "Haematology analyzer": ("testsPerHour",),
    "Biochemistry analyzer": ("testsPerHour",),
}
FACET_SPECS: dict[str, str] = {
    "MRI": "fieldStrengthT",
    "CT": "slices",
    "ECG machine": "channels",
    "Patient monitor": "channels",
}
FACET_KEYS: tuple[str, ...] = tuple(dict.fromkeys(FACET_SPECS.values()))
_FIGURE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z/ .-]*)\s*$", re.IGNORECASE)


def _number(key: str, raw: Any) -> int | float:
    """A figure given as a number or as text with its unit ("1.5T", "128 slice")."""
    spec = SPECS[key]
    if isinstance(raw, bool):
        raise Invalid(f"specs.{key}", "must be a number")
    if isinstance(raw, int | float):
        value = Decimal(str(raw))
    else:
        match = _FIGURE.match(str(raw))
        if not match:
            raise Invalid(f"specs.{key}", f"'{raw}' is not a figure in {spec.unit or 'units'}")
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:
            raise Invalid(f"specs.{key}", f"'{raw}' is not a number") from None
    if not spec.low <= value <= spec.high:
        shown = f"{spec.shown(spec.low)} to {spec.shown(spec.high)}"
        raise Invalid(f"specs.{key}", f"must be from {shown}")
    if value == value.to_integral_value():
        return int(value)
    if spec.whole:
        raise Invalid(f"specs.{key}", "must be a whole number")
    return float(value)


def check_specs(category: str, specs: Any) -> dict[str, int | float]:
    """The specifications of a SKU of `category`, each a figure in its spec's unit. Raises
    Invalid naming the specification ("specs.slices") that is unknown, not one of the
    category's, or out of range."""
    if specs is None:
        return {}
    if not isinstance(specs, dict):
        raise Invalid("specs", "must be an object of specification names and figures")
    allowed = CATEGORY_SPECS.get(category, ())
    checked: dict[str, int | float] = {}
    for key, raw in specs.items():
        if raw is None or raw == "":
            continue
        if key not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            raise Invalid(f"specs.{key}", f"is not a specification of {category} ({known})")
        checked[key] = _number(key, raw)
    return checked


def spec_lines(specs: dict[str, Any]) -> list[dict[str, str]]:
    """Specifications as label and shown value, the headline figure first (field strength
    before RF channels)."""
    order = list(SPECS)
    return [
        {"key": key, "label": SPECS[key].label, "value": SPECS[key].shown(specs[key])}
        for key in sorted((k for k in specs if k in SPECS), key=order.index)
    ]


def spec_summary(specs: dict[str, Any]) -> str:
    """One line for a search card: '1.5 T · 32 channels'."""
    return " · ".join(line["value"] for line in spec_lines(specs))
