"""Rupee amounts as Indians read them: ₹12,34,567.00."""

from __future__ import annotations


def group_indian(rupees: int) -> str:
    digits = str(abs(rupees))
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        pairs = []
        while len(head) > 2:
            pairs.insert(0, head[-2:])
            head = head[:-2]
        if head:
            pairs.insert(0, head)
        digits = ",".join(pairs) + "," + tail
    return ("-" if rupees < 0 else "") + digits


def format_inr(paise: int) -> str:
    """₹ with Indian digit grouping from integer paise."""
    rupees, rest = divmod(abs(paise), 100)
    return f"{'-' if paise < 0 else ''}₹{group_indian(rupees)}.{rest:02d}"
