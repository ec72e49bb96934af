"""Reading a manufacturer's device file (CSV or XLSX) into bulk-import rows.

Columns (header names are matched case- and space-insensitively):
serialNumber (or serial, serial_number), skuCode (or sku, sku_code), and optionally
facility (its code as the facilities page shows it, its name, or its id),
installationDate (day first: 21/09/2025, 21-09-2025, 21.09.2025, or 2025-09-21), udi.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from services.errors import Invalid, NotFound, TooLarge
from services.geo.facilities import facility_code
from services.geo.models import HealthcareFacility

ALIASES = {
    "serialnumber": "serialNumber",
    "serial": "serialNumber",
    "serialno": "serialNumber",
    "skucode": "skuCode",
    "sku": "skuCode",
    "facilityid": "facilityId",
    "facility": "facility",
    "facilitycode": "facility",
    "facilityname": "facility",
    "site": "facility",
    "sitecode": "facility",
    "installationdate": "installationDate",
    "installdate": "installationDate",
    "installedon": "installationDate",
    "udi": "udi",
}
REQUIRED = ("serialNumber", "skuCode")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
DATE_HINT = "must be a date written day first, like 21/09/2025 (or 2025-09-21)"
MAX_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip: a small file can unpack to gigabytes, so its unpacked size and its
# rows are bounded before and while it is read.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_LINES = 50_001  # the bulk import's 50,000 rows and a header


def _key(header: object) -> str | None:
    return ALIASES.get(re.sub(r"[\s_\-]", "", str(header or "")).lower())


def _columns(headers: list[object]) -> dict[int, str]:
    columns = {i: key for i, h in enumerate(headers) if (key := _key(h))}
    missing = [name for name in REQUIRED if name not in columns.values()]
    if missing:
        raise Invalid("file", f"the header row lacks the column(s) {', '.join(missing)}")
    return columns


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _rows(lines: list[list[Any]]) -> list[dict[str, str]]:
    if not lines:
        raise Invalid("file", "is empty")
    columns = _columns(lines[0])
    rows = []
    for line in lines[1:]:
        row = {key: _cell(line[i]) for i, key in columns.items() if i < len(line)}
        if any(row.values()):
            rows.append({k: v for k, v in row.items() if v})
    if not rows:
        raise Invalid("file", "has a header but no device rows")
    return rows


def parse_day_first(value: str) -> date:
    """A date as Indian files write it: day first (21/09/2025, 21-09-2025, 21.09.2025), or
    ISO (2025-09-21). Raises ValueError for anything else, or a day that does not exist."""
    value = (value or "").strip()
    found = _DAY_FIRST.match(value)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return date(year, month, day)
    return date.fromisoformat(value[:10] if "T" in value else value)


def read_device_file(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a .csv or .xlsx file. Raises Invalid("file", ...) with what to fix."""
    if len(content) > MAX_BYTES:
        raise Invalid("file", "is larger than 20 MB; split it")
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        return _rows(_xlsx_lines(content))
    if lower.endswith(".csv") or lower.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid("file", "is not UTF-8 text; save the CSV as UTF-8") from exc
        dialect = csv.excel
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            pass
        return _rows(list(csv.reader(io.StringIO(text), dialect)))
    raise Invalid("file", "must be a .csv or .xlsx file")


def _xlsx_lines(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise Invalid("file", "is not a readable .xlsx workbook") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise TooLarge(
            f"The workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; "
            "save it as CSV or split it"
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise Invalid("file", "is not a readable .xlsx workbook") from exc
    lines: list[list[Any]] = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        lines.append(list(row))
        if len(lines) > MAX_LINES:
            raise Invalid("file", f"has more than {MAX_LINES - 1:,} rows; split it")
    return lines


def _name_key(value: str) -> str:
    return " ".join(str(value or "").lower().split())


class FacilityLookup:
    """Finds the facility a row names: by its code (as the facilities page shows it), its
    id, or its exact name (letter case and spacing aside), among `facilities`."""

    def __init__(self, facilities: Iterable[HealthcareFacility]) -> None:
        self._by_key: dict[str, HealthcareFacility] = {}
        self._by_name: dict[str, list[HealthcareFacility]] = {}
        for facility in facilities:
            self._by_key[str(facility.id)] = facility
            self._by_key[facility_code(facility).lower()] = facility
            self._by_name.setdefault(_name_key(facility.name), []).append(facility)

    def find(self, value: str) -> HealthcareFacility:
        """The facility `value` names. Raises Invalid (a name several facilities share)
        or NotFound (none of the facilities given)."""
        value = str(value or "").strip()
        found = self._by_key.get(value.lower())
        if found is not None:
            return found
        named = self._by_name.get(_name_key(value), [])
        if len(named) == 1:
            return named[0]
        if named:
            codes = ", ".join(sorted(facility_code(f) for f in named))
            raise Invalid(
                "facility", f"'{value[:80]}' names {len(named)} sites; use a code: {codes}"
            )
        raise NotFound(
            f"facility '{value[:80]}' is not one of your sites or a site shared with you "
            "(use the code or name the facilities page shows)"
        )
