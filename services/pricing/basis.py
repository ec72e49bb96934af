"""The basis of a tip: how many comparable deals the band comes from, the band as an
interval, and how far to trust it, in words a buyer reads in one glance."""

from __future__ import annotations

from collections.abc import Sequence

from services.pricing.deals import QuoteLine
from services.pricing.model import BAND_COVERAGE, PriceBandModel
from services.pricing.words import rupees_text

# Confidence from the evidence (deals of the weakest line's category) and the band's width
# (half of it, as a share of fair): both must hold for a level.
CONFIDENCE_RULES = (("high", 200, 0.08), ("medium", 50, 0.15))


def confidence_level(deals: int, half_width: float) -> str:
    """'high', 'medium' or 'low': high needs 200 comparable deals and a band within ±8% of
    fair; medium 50 deals and ±15%; anything less is low."""
    for level, least_deals, widest in CONFIDENCE_RULES:
        if deals >= least_deals and half_width <= widest:
            return level
    return "low"


def basis_of(
    model: PriceBandModel, lines: Sequence[QuoteLine], low: int, fair: int, high: int
) -> dict:
    """The comparable deals behind the band (`low`, `fair`, `high` for the whole offer), per
    category of `lines`, the band's width and the confidence that follows from both."""
    by_category: dict[str, int] = {}
    for line in lines:
        by_category.setdefault(line.category, model.comparable_deals(line.category))
    weakest = min(by_category.values())
    half_width = (high - low) / 2 / fair
    level = confidence_level(weakest, half_width)
    kinds = lines[0].buyer_type
    same_buyer = sum(model.comparable_deals(c, kinds) for c in by_category)
    deals = sum(by_category.values())
    fewest = min(by_category, key=by_category.get)
    if len(by_category) == 1:
        named = f"{deals:,} comparable {fewest} deals"
    elif len(by_category) <= 3:
        named = (
            f"{deals:,} comparable deals ("
            + ", ".join(f"{n:,} {c}" for c, n in by_category.items())
            + ")"
        )
    else:
        named = (
            f"{deals:,} comparable deals in {len(by_category)} categories "
            f"(fewest: {by_category[fewest]:,} {fewest})"
        )
    interval = (
        f"{BAND_COVERAGE:.0%} of such deals close between {rupees_text(low)} and "
        f"{rupees_text(high)} (±{half_width:.0%} of fair {rupees_text(fair)})"
    )
    return {
        "deals": deals,
        "byCategory": by_category,
        "sameBuyerType": same_buyer,
        "coverage": BAND_COVERAGE,
        "halfWidthPct": round(100 * half_width, 1),
        "confidence": level,
        "text": (
            f"Based on {named}: {interval}; {level} confidence."
            if deals
            else f"No comparable deals for {', '.join(by_category)}: {interval}; low confidence."
        ),
    }
