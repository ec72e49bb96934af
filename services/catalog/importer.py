"""Importing an OEM's price list from CSV into its catalog.

UTF-8 (a spreadsheet's byte-order mark is fine), comma-separated, one SKU a row, with a
header row naming the columns (any order):

| column         | required | meaning                                                        |
|----------------|----------|----------------------------------------------------------------|
| code           | yes      | the OEM's SKU code; importing it again updates that SKU         |
| name           | yes      | product name as buyers see it                                  |
| category       | yes      | e.g. MRI, Ultrasound, Ventilator (known ones keep one spelling) |
| risk_class     | yes      | A, B, C or D under the Indian Medical Device Rules              |
| list_price_inr | yes      | list price before GST in rupees, e.g. 1250000 or 12,50,000.00   |
| gst_rate       | no       | 0, 5, 12, 18 or 28 (default 12)                                 |
| description    | no       | free text, searched by buyers                                  |
| datasheet_url  | no       | http(s) link to the datasheet                                  |
| attributes     | no       | a JSON object, or key=value pairs separated by ';'              |
| specs          | no       | the category's figures, e.g. fieldStrengthT=1.5;rfChannels=32   |

A bad row is reported with its line, column and reason and skipped; the good rows of the
same file go in. A row whose code is already in the catalog updates that SKU (and lists
it again if it was withdrawn), so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.catalog import rules
from services.catalog.specs import check_specs
from services.common.roles import SELLERS
from services.errors import Invalid
from services.events.service import emit

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
BATCH = 2000
REQUIRED = ("code", "name", "category", "risk_class", "list_price_inr")
OPTIONAL = ("gst_rate", "description", "datasheet_url", "attributes", "specs")
# Which CSV column an Invalid from the shared field checks points at.
_COLUMN_OF = {
    "code": "code",
    "name": "name",
    "category": "category",
    "imdrClass": "risk_class",
    "listPriceInr": "list_price_inr",
    "gstRate": "gst_rate",
    "description": "description",
    "datasheetUrl": "datasheet_url",
    "attrs": "attributes",
    "specs": "specs",
}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len({e["line"] for e in self.errors})

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "errors": self.errors[:1000],
        }


def _attr_value(raw: str) -> Any:
    value = raw.strip()
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return value


def parse_attributes(cell: str) -> dict[str, Any]:
    """`{"slices": 128}` or `slices=128;form=portable` as a dict. Raises Invalid('attrs')."""
    cell = cell.strip()
    if not cell:
        return {}
    if cell.startswith("{"):
        try:
            parsed = json.loads(cell)
        except json.JSONDecodeError as exc:
            raise Invalid("attrs", f"is not valid JSON ({exc.msg})") from None
        return rules.check_attrs(parsed)
    pairs = {}
    for item in (part for part in cell.split(";") if part.strip()):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Invalid("attrs", f"'{item.strip()}' is not key=value")
        pairs[key.strip()] = _attr_value(value)
    return rules.check_attrs(pairs)


def parse_specs(category: str, cell: str) -> dict[str, Any]:
    """`{"slices": 128}` or `slices=128;gantryBoreCm=78` as checked specifications of
    `category`. Raises Invalid naming the specification."""
    cell = cell.strip()
    if not cell:
        return {}
    if cell.startswith("{"):
        try:
            return check_specs(category, json.loads(cell))
        except json.JSONDecodeError as exc:
            raise Invalid("specs", f"is not valid JSON ({exc.msg})") from None
    pairs = {}
    for item in (part for part in cell.split(";") if part.strip()):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Invalid("specs", f"'{item.strip()}' is not name=figure")
        pairs[key.strip()] = value.strip()
    return check_specs(category, pairs)


def parse_row(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row as SKU fields. Raises Invalid naming the field at fault."""
    for column in REQUIRED:
        if not (row.get(column) or "").strip():
            raise Invalid(next(k for k, v in _COLUMN_OF.items() if v == column), "is required")
    gst = (row.get("gst_rate") or "").strip() or "12"
    category = rules.check_category(row["category"])
    return {
        "code": rules.check_code(row["code"]),
        "name": rules.check_name(row["name"]),
        "category": category,
        "imdr_class": rules.check_risk_class(row["risk_class"]),
        "list_price_paise": rules.list_price_paise(row["list_price_inr"]),
        "gst_rate": rules.check_gst_rate(gst),
        "description": rules.check_description(row.get("description")),
        "datasheet_url": rules.check_datasheet_url(row.get("datasheet_url")),
        "attrs": parse_attributes(row.get("attributes") or ""),
        "specs": parse_specs(category, row.get("specs") or ""),
    }


def _reader(data: bytes) -> csv.DictReader:
    if len(data) > MAX_BYTES:
        raise Invalid("file", f"is larger than {MAX_BYTES // 2**20} MB; split it")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("file", "is not UTF-8 text; save it as 'CSV UTF-8'") from None
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if missing:
        raise Invalid("file", f"the header lacks the column(s) {', '.join(missing)}")
    if unknown:
        raise Invalid(
            "file",
            f"unknown column(s) {', '.join(unknown)}; the columns are "
            f"{', '.join(REQUIRED + OPTIONAL)}",
        )
    reader.fieldnames = header
    return reader


def read_rows(data: bytes, report: ImportReport) -> list[dict[str, Any]]:
    """The good rows of the file (each with its line); bad ones go to `report.errors`."""
    reader = _reader(data)
    good: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    line = 1
    for row in reader:
        start, line = line + 1, reader.line_num
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise Invalid("file", f"has more than {MAX_ROWS:,} rows; split it")
        if None in row:
            report.errors.append(
                {
                    "line": start,
                    "column": "",
                    "code": row.get("code", ""),
                    "reason": "has more cells than the header",
                }
            )
            continue
        try:
            sku = parse_row(row)
        except Invalid as exc:
            report.errors.append(
                {
                    "line": start,
                    "column": _COLUMN_OF.get(exc.field, exc.field),
                    "code": (row.get("code") or "").strip(),
                    "reason": exc.reason,
                }
            )
            continue
        if sku["code"] in first_line:
            report.errors.append(
                {
                    "line": start,
                    "column": "code",
                    "code": sku["code"],
                    "reason": f"repeats the code of line {first_line[sku['code']]}",
                }
            )
            continue
        first_line[sku["code"]] = start
        good.append(sku)
    return good


_RECORD = """code text, name text, category text, imdr_class text, list_price_paise bigint,
    gst_rate numeric, attrs jsonb, description text, datasheet_url text, specs jsonb"""


def upsert_skus(db: Session, tenant_id: UUID, skus: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert or update SKUs of one OEM by code in set-based statements; rows identical to
    what is stored are left alone. Returns (created, updated)."""
    created = updated = 0
    for start in range(0, len(skus), BATCH):
        chunk = [{**s, "gst_rate": str(s["gst_rate"])} for s in skus[start : start + BATCH]]
        flags = (
            db.execute(
                text(f"""
            INSERT INTO sku AS s (tenant_id, code, name, category, imdr_class, list_price_paise,
                   gst_rate, attrs, description, datasheet_url, specs, is_active)
            SELECT :tenant, r.code, r.name, r.category, r.imdr_class, r.list_price_paise,
                   r.gst_rate, r.attrs, coalesce(r.description, ''), r.datasheet_url,
                   coalesce(r.specs, '{{}}'), true
              FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({_RECORD})
            ON CONFLICT (tenant_id, code) DO UPDATE SET
                   name = EXCLUDED.name, category = EXCLUDED.category,
                   imdr_class = EXCLUDED.imdr_class, list_price_paise = EXCLUDED.list_price_paise,
                   gst_rate = EXCLUDED.gst_rate, attrs = EXCLUDED.attrs,
                   description = EXCLUDED.description, datasheet_url = EXCLUDED.datasheet_url,
                   specs = EXCLUDED.specs, is_active = true
             WHERE (s.name, s.category, s.imdr_class, s.list_price_paise, s.gst_rate, s.attrs,
                    s.description, s.datasheet_url, s.specs, s.is_active)
                   IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.imdr_class,
                    EXCLUDED.list_price_paise, EXCLUDED.gst_rate, EXCLUDED.attrs,
                    EXCLUDED.description, EXCLUDED.datasheet_url, EXCLUDED.specs, true)
            RETURNING xmax = 0"""),
                {"tenant": tenant_id, "rows": json.dumps(chunk, default=str)},
            )
            .scalars()
            .all()
        )
        created += sum(flags)
        updated += len(flags) - sum(flags)
    return created, updated


def import_catalog(db: Session, actor: Actor, data: bytes) -> ImportReport:
    """Import a CSV price list into the actor's (OEM's) catalog. Raises Forbidden (not an
    OEM editor) or Invalid('file') when the file as a whole cannot be read; bad rows are
    reported in the returned report, with line, column and reason."""
    actor.require(*SELLERS)
    report = ImportReport()
    good = read_rows(data, report)
    report.created, report.updated = upsert_skus(db, actor.tenant_id, good)
    report.unchanged = len(good) - report.created - report.updated
    audit.record(
        db,
        actor,
        "sku.import",
        "sku",
        "*",
        f"CSV import: {report.created} added, {report.updated} updated, {report.failed} refused",
    )
    if report.created or report.updated:
        emit(
            db,
            actor,
            "CatalogUpdated",
            "sku",
            "*",
            {"created": report.created, "updated": report.updated},
        )
    return report
