"""Money in paise, read and shown the way Indians write rupees: ₹12,34,567.00.

Amounts are integer paise everywhere. There is one parser for rupees a person types and
one rounding rule: an amount with more than two decimals is refused with a clear error,
never rounded, so ₹12.349 is not silently 1,234 or 1,235 paise. Computed amounts (a
discount, a tax) round half up to the paisa where they are computed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from services.errors import Invalid

PAISA = Decimal("0.01")


def rupees_to_paise(typed: Any, field: str, *, blank: int | None = None) -> int:
    """Rupees as typed ('12,50,000', '₹ 99.5', '1250000.50') as integer paise.

    `blank` is what an empty entry means; without it an empty entry is refused. Raises
    Invalid naming `field` for text that is not an amount, for a negative amount and for
    more than two decimals (the one rounding rule: refuse, never guess)."""
    text = str(typed if typed is not None else "").replace(",", "").replace("₹", "").strip()
    if not text and blank is not None:
        return blank
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise Invalid(field, f"'{typed}' is not an amount in rupees, e.g. 12,50,000") from None
    if not amount.is_finite():
        raise Invalid(field, f"'{typed}' is not an amount in rupees, e.g. 12,50,000")
    if amount < 0:
        raise Invalid(field, "cannot be negative")
    if amount != amount.quantize(PAISA):
        raise Invalid(field, "give rupees with at most two decimals")
    return int(amount * 100)


def group_indian(rupees: int) -> str:
    """Digits grouped the Indian way: 1,23,45,678."""
    digits = str(abs(rupees))
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ("-" if rupees < 0 else "") + ",".join([*groups, tail])


def format_inr(paise: int, symbol: str = "₹") -> str:
    """An amount in paise with Indian digit grouping: ₹12,34,567.00 (`symbol` "Rs " where
    a font has no rupee sign)."""
    rupees, rest = divmod(abs(int(paise)), 100)
    return f"{'-' if paise < 0 else ''}{symbol}{group_indian(rupees)}.{rest:02d}"
