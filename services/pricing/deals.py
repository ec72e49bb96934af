"""Historic deals of Indian medical equipment: the lines a `price_band` model learns from.

Two sources feed the model. `generate_deals` draws realistic historic deal lines from a
documented pricing logic (below), seeded so the same seed always gives the same deals.
`deals_from_closed` turns the platform's own closed deals (plain dicts) into the same
`DealLine` rows, so training can add what buyers and OEMs actually agreed here.

How an agreed unit price comes about (as a discount off the OEM list price):
- each product class has its usual discount (reagent-led analyzers deepest, monitors least);
- volume: the discount grows with the log of the quantity;
- buyer: government tenders press hardest (L1 pressure), then large private chains and
  diagnostic chains; a standalone lab has the least leverage;
- city tier: metros see more competing distributors; tier 3 carries logistics cost;
- season: OEMs push to close before the fiscal year ends in March and at quarter ends; the
  festive season (October, November) brings schemes; April and May are slow;
- brand: premium brands concede less, value brands more; a list price set high in its
  class leaves more room to discount;
- competition: each further competing quote deepens the discount (more so in tenders);
- terms are priced in: warranty beyond the standard, bundled CMC years and longer credit
  (payment days) all raise the agreed price;
- a government buyer closing in March spends a lapsing budget and bargains less;
- noise: about 3.5% multiplicative, and a few strategic deals (a reference site) that
  go well below the usual price.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date

import numpy as np

from services.errors import Invalid
from services.geo.vocab import DEVICE_TYPES

BUYER_TYPES = (
    "government_tender",
    "large_private_chain",
    "mid_hospital",
    "diagnostic_chain",
    "standalone_lab",
)
BRAND_TIERS = ("premium", "established", "value")
LAB_BUYERS = ("diagnostic_chain", "standalone_lab")


class PricingInputError(Invalid, ValueError):
    """Bad pricing input; `field` names what to fix. A ValueError as well as a domain error."""


@dataclass(frozen=True)
class ProductClass:
    """A kind of product within a device category, with its market habits."""

    category: str
    name: str
    list_low_rupees: int
    list_high_rupees: int
    base_discount: float
    volume_discount: float
    standard_warranty: int
    max_quantity: int
    for_labs: bool = False


_CR, _L = 1_00_00_000, 1_00_000

PRODUCT_CLASSES: tuple[ProductClass, ...] = (
    ProductClass("MRI", "MRI 3T", 8 * _CR, 12 * _CR, 0.24, 0.020, 2, 2, True),
    ProductClass("MRI", "MRI 1.5T", 4 * _CR, 7 * _CR, 0.22, 0.020, 2, 2, True),
    ProductClass("CT", "CT 128-slice", 280 * _L, 450 * _L, 0.22, 0.020, 2, 2, True),
    ProductClass("CT", "CT 16-slice", 90 * _L, 160 * _L, 0.18, 0.020, 2, 3, True),
    ProductClass("Cath lab", "Cath lab", 350 * _L, 600 * _L, 0.21, 0.020, 2, 2),
    ProductClass("X-ray", "X-ray DR", 25 * _L, 60 * _L, 0.17, 0.025, 1, 4, True),
    ProductClass("X-ray", "Mobile X-ray", 8 * _L, 18 * _L, 0.14, 0.025, 1, 8),
    ProductClass("Mammography", "Digital mammography", 120 * _L, 300 * _L, 0.19, 0.020, 2, 2, True),
    ProductClass("Ultrasound", "Ultrasound premium", 40 * _L, 90 * _L, 0.19, 0.025, 1, 4, True),
    ProductClass("Ultrasound", "Ultrasound mid-range", 12 * _L, 35 * _L, 0.16, 0.025, 1, 6, True),
    ProductClass("Patient monitor", "Patient monitor", 150_000, 6 * _L, 0.12, 0.030, 1, 60),
    ProductClass("Ventilator", "ICU ventilator", 8 * _L, 18 * _L, 0.14, 0.030, 1, 30),
    ProductClass(
        "Anaesthesia workstation", "Anaesthesia workstation", 18 * _L, 45 * _L, 0.15, 0.025, 1, 6
    ),
    ProductClass("Infusion pump", "Infusion pump", 80_000, 220_000, 0.16, 0.035, 1, 200),
    ProductClass("Defibrillator", "Defibrillator", 2 * _L, 6 * _L, 0.13, 0.030, 1, 15),
    ProductClass("ECG", "ECG machine", 80_000, 350_000, 0.12, 0.030, 1, 20),
    ProductClass("Dialysis machine", "Dialysis machine", 7 * _L, 14 * _L, 0.17, 0.030, 1, 25),
    ProductClass(
        "Haematology analyzer",
        "5-part haematology analyzer",
        10 * _L,
        25 * _L,
        0.26,
        0.020,
        1,
        4,
        True,
    ),
    ProductClass(
        "Biochemistry analyzer", "Biochemistry analyzer", 15 * _L, 60 * _L, 0.28, 0.020, 1, 3, True
    ),
    ProductClass(
        "Immunoassay analyzer", "Immunoassay analyzer", 25 * _L, 80 * _L, 0.28, 0.020, 1, 3, True
    ),
    ProductClass("PCR system", "Real-time PCR system", 20 * _L, 60 * _L, 0.20, 0.020, 1, 3, True),
)

# The categories the model knows: the platform's device types that have a product class.
CATEGORIES = tuple(c for c in DEVICE_TYPES if any(p.category == c for p in PRODUCT_CLASSES))
# Platform device types, plus the catalog's spellings of the same devices.
_CANONICAL = {c.lower(): c for c in DEVICE_TYPES} | {
    "ecg machine": "ECG",
    "xray": "X-ray",
    "x ray": "X-ray",
    "pcr": "PCR system",
}
STANDARD_WARRANTY = {p.category: p.standard_warranty for p in PRODUCT_CLASSES}

_BUYER_EFFECT = {
    "government_tender": 0.06,
    "large_private_chain": 0.04,
    "mid_hospital": 0.0,
    "diagnostic_chain": 0.03,
    "standalone_lab": -0.02,
}
_TIER_EFFECT = {1: 0.015, 2: 0.0, 3: -0.02}
_BRAND_EFFECT = {"premium": -0.03, "established": 0.0, "value": 0.04}
_NOISE_SIGMA = 0.035


@dataclass(frozen=True, kw_only=True)
class QuoteLine:
    """One line being negotiated: what is sold, to whom, where, when and on what terms.

    Money is integer paise. `category` is a platform device type ("MRI", "CT", ...); an
    unknown category is accepted and priced with less confidence. `month` (1-12) is when the
    deal is expected to close: season moves prices. Raises
    `PricingInputError` (a ValueError) naming the field when a value is out of range.
    """

    category: str
    list_price_paise: int
    quantity: int
    month: int
    city_tier: int = 1
    buyer_type: str = "mid_hospital"
    brand_tier: str = "established"
    warranty_years: int = 1
    cmc_years: int = 0
    payment_days: int = 30
    competing_quotes: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.category, str) or not self.category.strip():
            raise PricingInputError("category", "name the device category, e.g. 'MRI'")
        object.__setattr__(self, "category", canonical_category(self.category))
        _check_int(
            "list_price_paise",
            self.list_price_paise,
            1,
            10**13,
            "must be a positive amount in paise",
        )
        _check_int("quantity", self.quantity, 1, 100_000, "must be at least 1")
        _check_choice("city_tier", self.city_tier, (1, 2, 3))
        _check_int("month", self.month, 1, 12, "must be 1 to 12")
        _check_choice("buyer_type", self.buyer_type, BUYER_TYPES)
        _check_choice("brand_tier", self.brand_tier, BRAND_TIERS)
        _check_int("warranty_years", self.warranty_years, 0, 10, "must be 0 to 10")
        _check_int("cmc_years", self.cmc_years, 0, 10, "must be 0 to 10")
        _check_int("payment_days", self.payment_days, 0, 365, "must be 0 to 365")
        _check_int("competing_quotes", self.competing_quotes, 1, 50, "must be 1 to 50")


@dataclass(frozen=True, kw_only=True)
class DealLine(QuoteLine):
    """A closed deal line: a `QuoteLine` and the unit price both sides agreed."""

    agreed_unit_price_paise: int

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int(
            "agreed_unit_price_paise",
            self.agreed_unit_price_paise,
            1,
            10**13,
            "must be a positive amount in paise",
        )
        ratio = self.agreed_unit_price_paise / self.list_price_paise
        if not 0.2 <= ratio <= 1.5:
            raise PricingInputError(
                "agreed_unit_price_paise", f"is {ratio:.0%} of the list price; expected 20% to 150%"
            )


def canonical_category(name: str) -> str:
    """The platform spelling of a device category ("mri" -> "MRI"); unknown names kept."""
    return _CANONICAL.get(name.strip().lower(), name.strip())


def _check_int(field: str, value: object, low: int, high: int, reason: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise PricingInputError(field, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise PricingInputError(field, f"{reason}, got {value}")


def _check_choice(field: str, value: object, choices: tuple) -> None:
    if value not in choices:
        raise PricingInputError(
            field, f"must be one of {', '.join(map(str, choices))}, got {value!r}"
        )


def deals_from_closed(records: Iterable[Mapping]) -> list[DealLine]:
    """Training rows from the platform's closed deals: dicts with the `DealLine` fields.

    A record may give `closed_on` (a date or ISO string) instead of `month`. Unknown keys
    are ignored. Raises `PricingInputError` naming the record and field that is wrong.
    """
    names = {f.name for f in fields(DealLine)}
    rows = []
    for index, record in enumerate(records):
        values = {k: v for k, v in record.items() if k in names}
        if "month" not in values and record.get("closed_on") is not None:
            closed = record["closed_on"]
            values["month"] = (
                closed if isinstance(closed, date) else date.fromisoformat(str(closed)[:10])
            ).month
        try:
            rows.append(DealLine(**values))
        except TypeError as error:
            raise PricingInputError(f"closed_deals[{index}]", str(error)) from error
        except PricingInputError as error:
            raise PricingInputError(f"closed_deals[{index}].{error.field}", error.reason) from error
    return rows


def generate_deals(count: int, seed: int = 7) -> list[DealLine]:
    """`count` historic deal lines drawn from the pricing logic above; same seed, same deals."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise PricingInputError("count", f"must be a positive whole number, got {count!r}")
    rng = np.random.default_rng(seed)
    return [_draw_deal(rng) for _ in range(count)]


def _draw_deal(rng: np.random.Generator) -> DealLine:
    buyer = _pick(rng, BUYER_TYPES, (0.25, 0.2, 0.3, 0.15, 0.1))
    classes = [p for p in PRODUCT_CLASSES if p.for_labs or buyer not in LAB_BUYERS]
    product = classes[int(rng.integers(len(classes)))]
    brand = _pick(rng, BRAND_TIERS, (0.35, 0.4, 0.25))
    # Premium brands list at the top of their class, value brands at the bottom.
    skew = {"premium": 0.65, "established": 0.5, "value": 0.3}[brand]
    position = min(1.0, max(0.0, rng.normal(skew, 0.2)))
    list_rupees = (
        product.list_low_rupees * (product.list_high_rupees / product.list_low_rupees) ** position
    )
    line = dict(
        category=product.category,
        list_price_paise=int(round(list_rupees, -2)) * 100,
        quantity=_draw_quantity(rng, product, buyer),
        city_tier=_pick(rng, (1, 2, 3), (0.5, 0.32, 0.18)),
        month=_pick(rng, tuple(range(1, 13)), _MONTH_WEIGHTS),
        buyer_type=buyer,
        brand_tier=brand,
        warranty_years=product.standard_warranty
        + _pick(rng, (0, 1, 2, 3), (0.45, 0.3, 0.18, 0.07)),
        cmc_years=_pick(rng, (0, 2, 3, 5, 7), (2, 1, 1, 1, 1))
        if product.base_discount >= 0.17
        else _pick(rng, (0, 2, 3), (3, 1, 1)),
        payment_days=_draw_payment_days(rng, buyer),
        competing_quotes=int(
            rng.integers(3, 8) if buyer == "government_tender" else rng.integers(1, 6)
        ),
    )
    ratio = agreed_ratio(product, position, rng, **line)
    agreed = int(round(line["list_price_paise"] * ratio, -2))
    return DealLine(**line, agreed_unit_price_paise=agreed)


# More deals close in March (fiscal year-end) and around quarter ends and festivals.
_MONTH_WEIGHTS = (7, 8, 16, 5, 5, 8, 6, 7, 9, 9, 9, 11)


def _pick(rng: np.random.Generator, options: tuple, weights: tuple) -> object:
    """One of `options`, drawn with the given relative weights."""
    point = rng.random() * sum(weights)
    for option, weight in zip(options, weights, strict=True):
        point -= weight
        if point < 0:
            return option
    return options[-1]


def _draw_quantity(rng: np.random.Generator, product: ProductClass, buyer: str) -> int:
    if product.max_quantity <= 2:
        return 1 if rng.random() < 0.85 else 2
    scale = {"government_tender": 1.0, "large_private_chain": 0.8}.get(buyer, 0.45)
    top = max(1.0, product.max_quantity * scale)
    return min(product.max_quantity, max(1, round(math.exp(rng.uniform(0, math.log(top))))))


def _draw_payment_days(rng: np.random.Generator, buyer: str) -> int:
    if buyer == "government_tender":
        return _pick(rng, (60, 90, 120, 180), (1, 1, 1, 1))
    return _pick(rng, (0, 30, 45, 60, 90), (0.15, 0.35, 0.2, 0.2, 0.1))


def expected_ratio(line: QuoteLine) -> float:
    """The agreed/list ratio the pricing logic expects for `line`, without noise: the best any
    model of these deals can do. Raises `PricingInputError` when no product class of the
    line's category lists at its price."""
    for product in PRODUCT_CLASSES:
        low, high = product.list_low_rupees * 100, product.list_high_rupees * 100
        if product.category == line.category and low <= line.list_price_paise <= high:
            position = math.log(line.list_price_paise / low) / math.log(high / low)
            values = {f.name: getattr(line, f.name) for f in fields(QuoteLine)}
            return agreed_ratio(product, position, None, **values)
    raise PricingInputError("list_price_paise", f"no {line.category} product lists at this price")


def agreed_ratio(
    product: ProductClass, list_position: float, rng: np.random.Generator | None, **line
) -> float:
    """Agreed unit price as a share of list price, by the pricing logic of this module.

    `list_position` is where the list price sits in its class (0 lowest, 1 highest). With
    `rng`, the deal's noise (and the odd strategic deal) is added; without, the expected ratio.
    """
    month, buyer = line["month"], line["buyer_type"]
    discount = (
        product.base_discount
        + product.volume_discount * math.log(line["quantity"])
        + _BUYER_EFFECT[buyer]
        + _TIER_EFFECT[line["city_tier"]]
        + _season_effect(month)
        + _BRAND_EFFECT[line["brand_tier"]]
        + 0.06 * (list_position - 0.5)
        + (0.035 if buyer == "government_tender" else 0.025) * math.log(line["competing_quotes"])
        - 0.015 * (line["warranty_years"] - product.standard_warranty)
        - (0.022 if product.base_discount >= 0.17 else 0.015) * line["cmc_years"]
        - 0.10 * line["payment_days"] / 365
    )
    if buyer == "government_tender" and month == 3:
        discount -= 0.02
    ratio = 1.0 - discount
    if rng is not None:
        ratio *= math.exp(rng.normal(0.0, _NOISE_SIGMA))
        if rng.random() < 0.015:
            ratio *= 0.88
    return min(1.1, max(0.35, ratio))


def _season_effect(month: int) -> float:
    if month == 3:
        return 0.035
    if month in (6, 9, 12):
        return 0.015
    if month in (10, 11):
        return 0.01
    if month in (4, 5):
        return -0.01
    return 0.0


# How the platform's own records read as pricing features (the coach and closed deals).
_BUYER_TYPE_OF_KIND = {"hospital_chain": "large_private_chain", "lab_chain": "diagnostic_chain"}


def buyer_type_of(tenant_kind: str) -> str:
    """The pricing buyer type of an organisation kind (a hospital or lab chain buys as a
    chain; anyone else as a mid-sized hospital)."""
    return _BUYER_TYPE_OF_KIND.get(tenant_kind, "mid_hospital")


def delivery_tier(pincode: str | None, city: str) -> int:
    """The city tier of a delivery pincode; tier 2 when none was given."""
    from services.geo.vocab import city_tier

    return city_tier(pincode, city) if pincode else 2
