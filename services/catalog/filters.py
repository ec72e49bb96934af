"""What a buyer ticked in the catalog's facets, checked."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from services.catalog.models import PRICE_BANDS, RISK_CLASSES
from services.catalog.rules import check_category
from services.catalog.specs import FACET_KEYS
from services.errors import Invalid

_BAND_KEYS = tuple(key for key, *_ in PRICE_BANDS)
_SPEC_VALUE = re.compile(r"^\d+(\.\d+)?$")


def spec_filters(values: list[str] | tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """'fieldStrengthT:1.5' selections grouped by specification. Raises Invalid('spec')."""
    chosen: dict[str, set[str]] = {}
    for raw in values:
        key, sep, value = str(raw).partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in FACET_KEYS or not _SPEC_VALUE.match(value):
            raise Invalid(
                "spec", f"'{raw}' must be name:figure, the name one of {', '.join(FACET_KEYS)}"
            )
        chosen.setdefault(key, set()).add(str(float(value)).removesuffix(".0"))
    return tuple((k, tuple(sorted(v))) for k, v in sorted(chosen.items()))


@dataclass(frozen=True)
class Filters:
    """Facet selections; several values of one facet mean any of them."""

    categories: tuple[str, ...] = ()
    risk_classes: tuple[str, ...] = ()
    oem_ids: tuple[uuid.UUID, ...] = ()
    price_bands: tuple[str, ...] = ()
    specs: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (("fieldStrengthT", ("1.5",)),)

    def checked(self) -> Filters:
        """The same filters, validated. Raises Invalid naming the parameter."""
        risks = tuple(sorted({r.strip().upper() for r in self.risk_classes if r.strip()}))
        if any(r not in RISK_CLASSES for r in risks):
            raise Invalid("riskClass", "must be A, B, C or D")
        bands = tuple(sorted({b.strip() for b in self.price_bands if b.strip()}))
        if any(b not in _BAND_KEYS for b in bands):
            raise Invalid("priceBand", f"must be one of {', '.join(_BAND_KEYS)}")
        cats = tuple(sorted({check_category(c) for c in self.categories if c.strip()}))
        specs = spec_filters([f"{k}:{v}" for k, values in self.specs for v in values])
        oems = tuple(sorted(set(self.oem_ids), key=str))
        return Filters(cats, risks, oems, bands, specs)

    @property
    def any(self) -> bool:
        return any((self.categories, self.risk_classes, self.oem_ids, self.price_bands, self.specs))
