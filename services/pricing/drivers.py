"""What moves a line's fair price most, said as sentences: season, volume, buyer,
competition, city, brand, list price, and the terms on the table (only those offered)."""

from __future__ import annotations

from services.pricing.deals import QuoteLine
from services.pricing.model import PriceBandModel

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Feature groups a reason speaks of; the category itself is the baseline, not a reason.
_DRIVER_GROUPS = {
    "season": ("month", "is_fy_end", "is_quarter_end", "is_festive"),
    "volume": ("log_quantity",),
    "buyer": ("buyer_type",),
    "competition": ("competing_quotes",),
    "city": ("city_tier",),
    "brand": ("brand_tier",),
    "terms": ("extra_warranty_years", "cmc_years", "payment_days"),
    "list": ("log_list_rupees", "list_vs_category"),
}
_TERM_FEATURES = {
    "warranty_years": "extra_warranty_years",
    "cmc_years": "cmc_years",
    "payment_days": "payment_days",
}
_BUYER_WORDS = {
    "government_tender": "A government tender (L1 pressure)",
    "large_private_chain": "A large private chain's buying power",
    "mid_hospital": "A mid-sized hospital buyer",
    "diagnostic_chain": "A diagnostic chain's buying power",
    "standalone_lab": "A standalone lab's small volume",
}


def driver_sentences(
    model: PriceBandModel, line: QuoteLine, in_play: set[str], limit: int = 2
) -> list[str]:
    """The features that move this line's fair price most, as sentences. Of the terms, only
    those in `in_play` (someone offered them) count and are named."""
    effects = model.contributions(line)
    grouped = {group: sum(effects[f] for f in names) for group, names in _DRIVER_GROUPS.items()}
    grouped["terms"] = sum(effects[_TERM_FEATURES[t]] for t in in_play if t in _TERM_FEATURES)
    ranked = sorted(grouped.items(), key=lambda kv: -abs(kv[1]))
    return [
        f"{_subject(group, line, in_play)}: fair price about {abs(effect):.0%} "
        f"{'lower' if effect < 0 else 'higher'}."
        for group, effect in ranked[:limit]
        if abs(effect) >= 0.01
    ]


def _subject(group: str, line: QuoteLine, in_play: set[str]) -> str:
    month = _MONTHS[line.month - 1]
    season = {
        3: f"Closing in {month} (fiscal year-end)",
        4: f"Closing in {month} (new budgets, a slow month)",
        10: f"Closing in {month} (festive season)",
    }
    season.update({5: season[4], 11: season[10]})
    season.update({m: f"Closing in {_MONTHS[m - 1]} (quarter end)" for m in (6, 9, 12)})
    quotes = line.competing_quotes
    return {
        "season": season.get(line.month, f"Closing in {month}"),
        "volume": (
            f"A volume of {line.quantity} units" if line.quantity > 1 else "A single-unit order"
        ),
        "buyer": _BUYER_WORDS[line.buyer_type],
        "competition": (
            f"{quotes} competing quotes" if quotes > 1 else "A single quote (no competition)"
        ),
        "city": f"Delivery to a tier-{line.city_tier} city",
        "brand": f"A {line.brand_tier} brand",
        "terms": _terms_words(line, in_play),
        "list": "Where the list price sits among its peers",
    }[group]


def _terms_words(line: QuoteLine, in_play: set[str]) -> str:
    named = [
        words
        for term, words in (
            ("warranty_years", f"{line.warranty_years}-year warranty"),
            ("cmc_years", f"{line.cmc_years}-year CMC"),
            ("payment_days", f"{line.payment_days}-day credit"),
        )
        if term in in_play
    ]
    return f"The terms ({', '.join(named)})"
