"""GS1 UDI element strings, as printed under medical-device barcodes.

Accepts the human-readable form "(01)08901234567896(17)271231(10)LOT42(21)SN12345" and
the scanned form with an optional symbology prefix (]d2, ]C1, ]Q3) where variable-length
fields end with the GS character (ASCII 29).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from services.errors import Invalid

GS = "\x1d"
FIXED = {"01": 14, "11": 6, "17": 6}
VARIABLE = {"10": 20, "21": 20}
_PAREN = re.compile(r"\((\d{2})\)([^()]*)")


@dataclass(frozen=True)
class Udi:
    gtin: str | None
    expiry: date | None
    manufactured: date | None
    lot: str | None
    serial: str | None
    raw: str


def gtin_check_digit(body13: str) -> int:
    """The GS1 mod-10 check digit of the first 13 digits of a GTIN-14."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body13))
    return (10 - total % 10) % 10


def _elements(text: str) -> list[tuple[str, str]]:
    if text.startswith("("):
        pairs = _PAREN.findall(text)
        if "".join(f"({a}){v}" for a, v in pairs) != text:
            raise Invalid("udi", "brackets do not pair up as (AI)value")
        return pairs
    pairs, i = [], 0
    while i < len(text):
        ai = text[i:i + 2]
        i += 2
        if ai in FIXED:
            value, i = text[i:i + FIXED[ai]], i + FIXED[ai]
        elif ai in VARIABLE:
            end = text.find(GS, i)
            end = len(text) if end < 0 else end
            value, i = text[i:end], end + 1
        else:
            raise Invalid("udi", f"unknown application identifier ({ai})")
        pairs.append((ai, value))
    return pairs


def _date(ai: str, value: str) -> date:
    if not re.fullmatch(r"\d{6}", value):
        raise Invalid("udi", f"({ai}) must be a date as YYMMDD")
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        raise Invalid("udi", f"({ai}) has month {month:02d}")
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last  # GS1: day 00 means the end of the month
    if day > last:
        raise Invalid("udi", f"({ai}) has day {day} in a month of {last} days")
    return date(year, month, day)


def parse_udi(text: str) -> Udi:
    """The parts of a GS1 UDI. Raises Invalid("udi", reason) with what is wrong."""
    text = (text or "").strip()
    for prefix in ("]d2", "]C1", "]Q3"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if not text:
        raise Invalid("udi", "is empty")
    if any(not (33 <= ord(ch) <= 126) and ch != GS for ch in text):
        raise Invalid("udi", "has characters GS1 does not allow")
    found: dict[str, str] = {}
    for ai, value in _elements(text):
        if ai not in FIXED and ai not in VARIABLE:
            raise Invalid("udi", f"unknown application identifier ({ai})")
        if ai in FIXED and len(value) != FIXED[ai]:
            raise Invalid("udi", f"({ai}) must have {FIXED[ai]} characters")
        if ai in VARIABLE and not 1 <= len(value) <= VARIABLE[ai]:
            raise Invalid("udi", f"({ai}) must have 1 to {VARIABLE[ai]} characters")
        found[ai] = value
    gtin = found.get("01")
    if gtin is not None:
        if not gtin.isdigit():
            raise Invalid("udi", "(01) GTIN must be 14 digits")
        expected = gtin_check_digit(gtin[:13])
        if int(gtin[13]) != expected:
            raise Invalid("udi", f"GTIN check digit is wrong: expected {expected}")
    if gtin is None and "21" not in found:
        raise Invalid("udi", "has neither a GTIN (01) nor a serial (21) to identify a device")
    order = ("01", "17", "11", "10", "21")
    return Udi(
        gtin=gtin,
        expiry=_date("17", found["17"]) if "17" in found else None,
        manufactured=_date("11", found["11"]) if "11" in found else None,
        lot=found.get("10"), serial=found.get("21"),
        raw="".join(f"({ai}){found[ai]}" for ai in order if ai in found),
    )
