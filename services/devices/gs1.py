"""GS1 UDI element strings, as printed under medical-device barcodes.

Reads the human-readable form "(01)08901234567890(17)271231(10)LOT42(21)SN12345" and the
scanned form "0108901234567890172712311" "0LOT42<GS>21SN12345", where a variable-length
field ends at the GS character (ASCII 29) or at the end, optionally behind a symbology
identifier (]d2 Data Matrix, ]C1 GS1-128, ]Q3 QR). Used to find a device whose QR label is gone.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from services.errors import Invalid

GS = "\x1d"
SYMBOLOGY_IDS = ("]d2", "]C1", "]Q3")
FIXED = {"01": 14, "11": 6, "17": 6}
VARIABLE = {"10": 20, "21": 20}
NAMES = {"01": "GTIN", "11": "manufacturing date", "17": "expiry date", "10": "lot", "21": "serial"}
# Dates in the order they happen, then lot and serial: the order of FDA/GS1 UDI labels.
ORDER = ("01", "11", "17", "10", "21")
_AI_IN_BRACKETS = re.compile(r"\((\d{2,4})\)")


@dataclass(frozen=True)
class Udi:
    gtin: str | None
    expiry: date | None
    manufactured: date | None
    lot: str | None
    serial: str | None
    raw: str


def gtin_check_digit(body13: str) -> int:
    """The GS1 mod-10 check digit for the first 13 digits of a GTIN-14.

    Weights run 3, 1, 3, ... from the rightmost digit, so shorter GTIN bodies work too.
    Raises Invalid("gtin", ...) if the body is not all digits."""
    if not body13.isdigit():
        raise Invalid("gtin", f"{body13!r} must be digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body13)))
    return (10 - total % 10) % 10


def _unknown(ai: str) -> Invalid:
    known = ", ".join(f"({a})" for a in ORDER)
    return Invalid("udi", f"unknown application identifier ({ai}); this reader knows {known}")


def _bracketed(text: str) -> list[tuple[str, str]]:
    parts = _AI_IN_BRACKETS.split(text)  # ["", ai, value, ai, value, ...]
    if parts[0]:
        raise Invalid("udi", f"starts with {parts[0]!r} instead of an (AI) such as (01)")
    return list(zip(parts[1::2], parts[2::2], strict=True))


def _scanned(text: str) -> list[tuple[str, str]]:
    pairs, i = [], 0
    while i < len(text):
        if text[i] == GS:  # some printers put a separator after fixed-length fields too
            i += 1
            continue
        ai = text[i : i + 2]
        i += 2
        if ai in FIXED:
            value, i = text[i : i + FIXED[ai]], i + FIXED[ai]
        elif ai in VARIABLE:
            end = text.find(GS, i)
            end = len(text) if end < 0 else end
            value, i = text[i:end], end + 1
        else:
            raise _unknown(ai)
        pairs.append((ai, value))
    return pairs


def _date(ai: str, value: str) -> date:
    what = f"({ai}) {NAMES[ai]}"
    if not re.fullmatch(r"\d{6}", value):
        raise Invalid("udi", f"{what} must be 6 digits as YYMMDD, not {value!r}")
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        raise Invalid("udi", f"{what} {value} has month {month:02d}; months run 01 to 12")
    last = calendar.monthrange(year, month)[1]
    if day > last:
        raise Invalid(
            "udi", f"{what} {value} has day {day:02d}, but {month:02d}/{year} has {last} days"
        )
    return date(year, month, day or last)  # GS1: day 00 means the last day of the month


def _check_gtin(gtin: str) -> None:
    if len(gtin) != 14 or not gtin.isdigit():
        raise Invalid(
            "udi",
            f"(01) GTIN must be 14 digits, not {gtin!r}; pad a shorter GTIN with leading zeros",
        )
    expected = gtin_check_digit(gtin[:13])
    if int(gtin[13]) != expected:
        raise Invalid("udi", f"GTIN check digit is wrong: expected {expected}")


def parse_udi(text: str) -> Udi:
    """The GTIN, dates, lot and serial in a GS1 UDI, in either printed or scanned form.

    Raises Invalid("udi", reason) when the text is empty, has characters outside printable
    ASCII, an unknown AI, a GTIN with a wrong check digit, an impossible date, a lot or
    serial over 20 characters, one AI twice with different values, or neither a GTIN nor
    a serial to identify a device by."""
    text = text.strip()
    for prefix in SYMBOLOGY_IDS:
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip(GS)
            break
    if not text:
        raise Invalid("udi", "is empty; scan the barcode or type the text under it")
    bracketed = text.startswith("(")
    for ch in text:
        if not (33 <= ord(ch) <= 126 or (ch == GS and not bracketed)):
            raise Invalid(
                "udi",
                f"contains {ch!r}, which GS1 does not allow; use printable ASCII without spaces",
            )
    found: dict[str, str] = {}
    for ai, value in _bracketed(text) if bracketed else _scanned(text):
        if ai not in NAMES:
            raise _unknown(ai)
        if ai in VARIABLE and not 1 <= len(value) <= VARIABLE[ai]:
            raise Invalid(
                "udi",
                f"({ai}) {NAMES[ai]} must have 1 to {VARIABLE[ai]} characters, not {len(value)}",
            )
        if found.get(ai, value) != value:
            raise Invalid("udi", f"({ai}) {NAMES[ai]} appears twice with different values")
        found[ai] = value
    if "01" in found:
        _check_gtin(found["01"])
    if "01" not in found and "21" not in found:
        raise Invalid("udi", "has neither a GTIN (01) nor a serial (21) to identify a device by")
    return Udi(
        gtin=found.get("01"),
        expiry=_date("17", found["17"]) if "17" in found else None,
        manufactured=_date("11", found["11"]) if "11" in found else None,
        lot=found.get("10"),
        serial=found.get("21"),
        raw="".join(f"({ai}){found[ai]}" for ai in ORDER if ai in found),
    )
