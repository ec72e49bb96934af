"""Importing a facility directory from CSV into the public directory (platform admins).

One row per facility, UTF-8, comma-separated, with a header row; `;` separates the
items of a list cell. Columns (only the first five are required):

| column            | meaning                                                          |
|-------------------|------------------------------------------------------------------|
| external_id       | the source's own id; importing it again updates, never duplicates |
| name              | facility name                                                    |
| pincode           | six-digit India Post pincode                                     |
| facility_type     | a directory type, as people write it ("Imaging Centre", "PHC")   |
| address           | street address                                                   |
| bed_count         | whole number                                                     |
| specialties       | e.g. `cardiology;neurology`                                      |
| accreditations    | NABH, NABL, CAP, JCI                                             |
| ownership         | public, private, trust or corporate (default private)            |
| latitude,longitude| decimal degrees; within 50 km of the pincode (else the centroid) |
| phone, email      | contact                                                          |
| equipment         | device counts by category, e.g. `MRI:1;CT:2;Ventilator:12`       |
| lab_type          | when the site has a laboratory: full_service, reference, ...     |
| test_categories   | the laboratory's test categories, e.g. `pathology;biochemistry`  |
| lab_accreditations| the laboratory's accreditations                                  |

A bad row is reported with its line and every problem it has (column and reason) and
skipped; the good rows of the same file are imported (services/geo/import_rows.py).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor, Role
from services.audit import service as audit
from services.errors import Forbidden, Invalid
from services.events.service import emit
from services.geo.import_rows import REQUIRED, RowError, RowProblems, parse_row

MAX_BYTES = 50 * 1024 * 1024
BATCH = 2000
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    laboratories: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len({e["row"] for e in self.errors})

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "failed": self.failed,
            "laboratories": self.laboratories,
            "seconds": round(self.seconds, 2),
            "errors": self.errors[:1000],
        }


_FACILITY_RECORD = """external_id text, name text, address text, pincode text, facility_type text,
    bed_count int, specialties jsonb, accreditations jsonb, ownership text, latitude float8,
    longitude float8, contact_info jsonb"""
_LAB_RECORD = """external_id text, facility_external_id text, name text, address text,
    pincode text, lab_type text, test_categories jsonb, accreditations jsonb, latitude float8,
    longitude float8, contact_info jsonb"""


def upsert_directory(
    db: Session, facilities: list[dict], laboratories: list[dict], source: str
) -> tuple[int, int]:
    """Insert or update public-directory facilities (with their equipment) and laboratories
    by external id, in set-based statements. Returns (created, updated) facilities."""
    created = updated = 0
    for start in range(0, len(facilities), BATCH):
        chunk = facilities[start : start + BATCH]
        flags = (
            db.execute(
                text(f"""
            INSERT INTO healthcare_facilities (external_id, name, address, pincode, facility_type,
                   bed_count, specialties, accreditations, ownership, latitude, longitude,
                   contact_info, source)
            SELECT r.*, :source FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({_FACILITY_RECORD})
            ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE SET
                   name = EXCLUDED.name, address = EXCLUDED.address, pincode = EXCLUDED.pincode,
                   facility_type = EXCLUDED.facility_type, bed_count = EXCLUDED.bed_count,
                   specialties = EXCLUDED.specialties, accreditations = EXCLUDED.accreditations,
                   ownership = EXCLUDED.ownership, latitude = EXCLUDED.latitude,
                   longitude = EXCLUDED.longitude, contact_info = EXCLUDED.contact_info,
                   source = EXCLUDED.source, updated_at = now()
            RETURNING xmax = 0"""),
                {
                    "rows": json.dumps(
                        [{k: f[k] for k in _fields(_FACILITY_RECORD)} for f in chunk]
                    ),
                    "source": source,
                },
            )
            .scalars()
            .all()
        )
        created += sum(flags)
        updated += len(flags) - sum(flags)
        db.execute(
            text("""
            INSERT INTO healthcare_facility_equipment (facility_id, device_count_by_category,
                   lab_equipment_types)
            SELECT f.id, r.equipment, r.lab_equipment_types
              FROM jsonb_to_recordset(CAST(:rows AS jsonb))
                   AS r(external_id text, equipment jsonb, lab_equipment_types jsonb)
              JOIN healthcare_facilities f ON f.external_id = r.external_id
            ON CONFLICT (facility_id) DO UPDATE SET
                   device_count_by_category = EXCLUDED.device_count_by_category,
                   lab_equipment_types = EXCLUDED.lab_equipment_types, last_updated = now()"""),
            {
                "rows": json.dumps(
                    [
                        {
                            "external_id": f["external_id"],
                            "equipment": f["equipment"],
                            "lab_equipment_types": f["lab_equipment_types"],
                        }
                        for f in chunk
                    ]
                )
            },
        )
    for start in range(0, len(laboratories), BATCH):
        chunk = laboratories[start : start + BATCH]
        db.execute(
            text(f"""
            INSERT INTO laboratories (external_id, facility_id, name, address, pincode, lab_type,
                   test_categories, accreditations, latitude, longitude, contact_info, source)
            SELECT r.external_id, f.id, r.name, r.address, r.pincode, r.lab_type,
                   r.test_categories, r.accreditations, coalesce(r.latitude, f.latitude),
                   coalesce(r.longitude, f.longitude), r.contact_info, :source
              FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({_LAB_RECORD})
              LEFT JOIN healthcare_facilities f ON f.external_id = r.facility_external_id
            ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE SET
                   facility_id = EXCLUDED.facility_id, name = EXCLUDED.name,
                   address = EXCLUDED.address, pincode = EXCLUDED.pincode,
                   lab_type = EXCLUDED.lab_type, test_categories = EXCLUDED.test_categories,
                   accreditations = EXCLUDED.accreditations, latitude = EXCLUDED.latitude,
                   longitude = EXCLUDED.longitude, contact_info = EXCLUDED.contact_info,
                   source = EXCLUDED.source"""),
            {
                "rows": json.dumps([{k: lab[k] for k in _fields(_LAB_RECORD)} for lab in chunk]),
                "source": source,
            },
        )
    return created, updated


def _fields(record: str) -> list[str]:
    return [part.split()[0] for part in record.split(",")]


def read_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs with lower-case, trimmed header names. Raises Invalid for a
    file that is not UTF-8 CSV with the required columns."""
    if len(data) > MAX_BYTES:
        raise Invalid("file", f"is larger than {MAX_BYTES // 2**20} MB; split it")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("file", "is not UTF-8 text (save the sheet as CSV UTF-8)") from exc
    reader = csv.reader(io.StringIO(content))
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid("file", f"the header row lacks the column(s) {', '.join(missing)}")
    rows = []
    for cells in reader:
        if any(c.strip() for c in cells):
            rows.append(
                (reader.line_num, {h: c.strip() for h, c in zip(header, cells, strict=False) if h})
            )
    if not rows:
        raise Invalid("file", "has a header but no facility rows")
    return rows


def import_directory(
    db: Session, actor: Actor, data: bytes, on_progress: Progress | None = None
) -> ImportReport:
    """Import a directory CSV (see the module docstring) into the public directory.
    Idempotent by external_id; bad rows are reported and skipped. Raises Forbidden for
    anyone but a platform admin and Invalid for an unreadable file."""
    if Role.PLATFORM_ADMIN not in actor.roles:
        raise Forbidden("only a platform admin imports into the public directory")
    started = time.monotonic()
    lines = read_csv(data)
    centroids = {
        p: (lat, lng)
        for p, lat, lng in db.execute(
            text("SELECT pincode, latitude, longitude FROM indian_pincodes")
        )
    }
    report, seen = ImportReport(rows=len(lines)), {}
    facilities, labs = [], []
    for line, row in lines:
        try:
            parsed = parse_row(row, centroids)
            if (first := seen.setdefault(row["external_id"], line)) != line:
                raise RowProblems([RowError("external_id", f"repeats the id of line {first}")])
        except RowProblems as found:
            report.errors.extend(
                {
                    "row": line,
                    "externalId": row.get("external_id", ""),
                    "column": err.column,
                    "error": err.reason,
                }
                for err in found.problems
            )
            continue
        facilities.append(parsed["facility"])
        if parsed["lab"]:
            labs.append(parsed["lab"])
    for start in range(0, len(facilities), BATCH):
        chunk = facilities[start : start + BATCH]
        ids = {f["external_id"] for f in chunk}
        created, updated = upsert_directory(
            db, chunk, [lab for lab in labs if lab["facility_external_id"] in ids], "import"
        )
        report.created += created
        report.updated += updated
        if on_progress:
            on_progress(min(start + BATCH, len(facilities)), len(facilities))
    report.laboratories = len(labs)
    report.seconds = time.monotonic() - started
    summary = (
        f"{report.created} facilities added, {report.updated} updated, {report.failed} rows refused"
    )
    audit.record(db, actor, "directory.import", "healthcare_facilities", "", summary)
    emit(
        db,
        actor,
        "FacilityImported",
        "healthcare_facilities",
        "directory",
        {k: v for k, v in report.as_json().items() if k != "errors"},
    )
    return report
