"""How the coach says amounts and dates: ₹ in lakh and crore, prices a negotiator would
say, and days as Indians write them."""

from __future__ import annotations

import math
from datetime import date

from services.common.money import group_indian


def round_price(paise: float) -> int:
    """A price a negotiator would say: four significant figures of rupees, in paise."""
    rupees = max(1.0, paise / 100)
    step = 10 ** max(0, math.floor(math.log10(rupees)) - 3)
    return int(round(rupees / step) * step) * 100


def rupees_text(paise: int) -> str:
    """₹ as Indians say it, to the four figures a counter-offer is rounded to: ₹6.45 Cr,
    ₹2.505 Cr, ₹12.50 L, ₹85,000."""
    rupees = paise / 100
    if rupees >= 1_00_00_000:
        return f"₹{_four_figures(rupees / 1_00_00_000)} Cr"
    if rupees >= 1_00_000:
        return f"₹{_four_figures(rupees / 1_00_000)} L"
    return "₹" + group_indian(int(round(rupees)))


def day_text(day: date) -> str:
    """A date as '5 Mar 2027'."""
    return f"{day.day} {day:%b %Y}"


def _four_figures(value: float) -> str:
    """`value` (at least 1) to four significant figures, with two decimals at least."""
    decimals = max(2, 3 - math.floor(math.log10(value)))
    text = f"{value:.{decimals}f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"
