"""Reading result values and reference ranges as analyzers write them."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(-?\d+(?:\.\d+)?)\s*$")
_NUMBER = re.compile(r"^\s*[<>]?=?\s*(-?\d+(?:\.\d+)?)\s*$")


def reference_limits(reference: str) -> tuple[float | None, float | None]:
    """Low and high of a range written `low-high`, `low to high`, `<high` or `>low`."""
    match = _RANGE.match(reference)
    if match:
        return float(match.group(1)), float(match.group(2))
    stripped = reference.strip()
    number = _NUMBER.match(stripped)
    if stripped[:1] == "<" and number:
        return None, float(number.group(1))
    if stripped[:1] == ">" and number:
        return float(number.group(1)), None
    return None, None


def numeric(value: str) -> float | None:
    """The value as a number (`<0.5` reads 0.5), None when it is text."""
    match = _NUMBER.match(value)
    return float(match.group(1)) if match else None
