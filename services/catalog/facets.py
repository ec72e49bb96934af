"""The search's facets as buyers see them: grouped counts turned into lists, largest first
(risk classes A→D, price bands low→high, figures small→large), and the specification
facet that matters for what was found (field strength for MRIs, slices for CT)."""

from __future__ import annotations

import uuid
from typing import Any

from services.catalog.models import PRICE_BANDS
from services.catalog.specs import FACET_SPECS, SPECS

_BAND_KEYS = tuple(key for key, *_ in PRICE_BANDS)
_BAND_LABELS = {key: label for key, label, *_ in PRICE_BANDS}
SHARE = 0.4  # a category this share of the matches brings its specification facet


def _label(facet: str, value: str, names: dict) -> str:
    if facet == "riskClass":
        return f"Class {value}"
    if facet == "priceBand":
        return _BAND_LABELS[value]
    if facet == "oem":
        return names.get(uuid.UUID(value), ("", ""))[0]
    return value


def _row_entry(r: dict) -> tuple[str, str, int]:
    if r["by_cat"]:
        return "category", r["category"], r["n_cat"]
    if r["by_risk"]:
        return "riskClass", r["imdr_class"], r["n_risk"]
    if r["by_oem"]:
        return "oem", r["oem_id"], r["n_oem"]
    return "priceBand", r["band"], r["n_band"]


def _ordered(facet: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if facet == "riskClass":
        return sorted(entries, key=lambda e: e["value"])
    if facet == "priceBand":
        return sorted(entries, key=lambda e: _BAND_KEYS.index(e["value"]))
    return sorted(entries, key=lambda e: (-e["count"], e["label"]))


def facet_lists(
    rows: list[dict], selected: dict[str, tuple[str, ...]], names: dict[uuid.UUID, tuple]
) -> dict[str, list[dict[str, Any]]]:
    """Grouped counts as facet lists; a selected value stays listed (with its count, maybe
    0) so it can be unticked."""
    out: dict[str, dict[str, dict[str, Any]]] = {f: {} for f in selected}
    for r in rows:
        facet, value, count = _row_entry(r)
        if count:
            out[facet][value] = {
                "value": value,
                "label": _label(facet, value, names),
                "count": count,
            }
            if facet == "category":
                out[facet][value]["fullMatches"] = r["n_full"] or 0
    for facet, values in selected.items():
        for value in values:
            out[facet].setdefault(
                value, {"value": value, "label": _label(facet, value, names), "count": 0}
            )
    return {facet: _ordered(facet, list(entries.values())) for facet, entries in out.items()}


def _figure(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("inf")


def wanted_spec_keys(
    categories: list[dict[str, Any]], chosen: tuple[str, ...], total: int, full: int
) -> list[str]:
    """The specification facets worth showing: those of a chosen category, and of a
    category that makes up a good share of the matches (of those meeting every word of
    the query, when some do)."""
    keys = [FACET_SPECS[c] for c in chosen if c in FACET_SPECS]
    for entry in categories:
        count, out_of = (entry.get("fullMatches", 0), full) if full else (entry["count"], total)
        if entry["value"] in FACET_SPECS and out_of and count >= SHARE * out_of:
            keys.append(FACET_SPECS[entry["value"]])
    return list(dict.fromkeys(keys))


def spec_facets(
    rows: list[dict], keys: list[str], selected: dict[str, tuple[str, ...]]
) -> list[dict[str, Any]]:
    """The specification facets of `keys` (and any with a selection), each value with its
    count and its figure shown with the unit ("1.5 T")."""
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["n"]:
            counts.setdefault(r["key"], {})[r["value"]] = r["n"]
    out = []
    for key in dict.fromkeys([*keys, *selected]):
        values = counts.get(key, {})
        for value in selected.get(key, ()):
            values.setdefault(value, 0)
        if not values:
            continue
        spec = SPECS[key]
        entries = [
            {
                "value": v,
                "label": spec.shown(_number(v)),
                "count": n,
            }
            for v, n in sorted(values.items(), key=lambda item: _figure(item[0]))
        ]
        out.append({"key": key, "label": spec.label, "values": entries})
    return out


def _number(value: str) -> Any:
    figure = _figure(value)
    if figure == float("inf"):
        return value
    return int(figure) if figure.is_integer() else figure
