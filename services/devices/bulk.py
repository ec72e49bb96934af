"""Manufacturer bulk import: a batch of rows, processed in chunks by workers.

Each row is recorded in `manufacturer_device_feed` with its own outcome; a bad row is
reported and skipped, never failing the batch. A batch id seen before returns the
existing batch, so re-sending creates nothing new.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.catalog.models import Sku
from services.common.roles import DEVICE_IMPORTERS
from services.devices.imports import DATE_HINT, FacilityLookup, parse_day_first
from services.devices.models import DeviceRegistrationBatch, Equipment, ManufacturerDeviceFeed
from services.devices.registry import SERIAL, check_install_date, check_site
from services.errors import DomainError, Forbidden, Invalid
from services.events.service import emit
from services.geo.models import HealthcareFacility

MAX_ROWS = 50_000
CHUNK = 500


def start_batch(
    db: Session,
    actor: Actor,
    manufacturer_id: uuid.UUID,
    external_batch_id: str,
    rows: list[dict[str, Any]],
) -> tuple[DeviceRegistrationBatch, bool]:
    """Record a batch and its rows; returns it and whether it is new.

    Raises Forbidden (not this manufacturer's importer) or Invalid (batch id, rows).
    """
    actor.require(*DEVICE_IMPORTERS)
    if actor.tenant_kind != TenantKind.OEM or manufacturer_id != actor.tenant_id:
        raise Forbidden("You can import devices only for your own manufacturer account")
    external_batch_id = (external_batch_id or "").strip()
    if not 1 <= len(external_batch_id) <= 80:
        raise Invalid("batchId", "is required (at most 80 characters)")
    existing = db.exec(
        select(DeviceRegistrationBatch).where(
            DeviceRegistrationBatch.tenant_id == actor.tenant_id,
            DeviceRegistrationBatch.external_batch_id == external_batch_id,
        )
    ).first()
    if existing is not None:
        return existing, False
    if not isinstance(rows, list) or not rows:
        raise Invalid("devices", "send at least one device")
    if len(rows) > MAX_ROWS:
        raise Invalid("devices", f"at most {MAX_ROWS:,} devices per batch; split the file")
    batch = DeviceRegistrationBatch(
        tenant_id=actor.tenant_id,
        external_batch_id=external_batch_id,
        status="queued",
        total_count=len(rows),
    )
    db.add(batch)
    db.flush()
    feed = [
        {
            "id": uuid.uuid4(),
            "tenant_id": actor.tenant_id,
            "import_batch_id": batch.id,
            "row_number": i + 1,
            "serial_number": str(_get(row, "serialNumber") or "")[:80],
            "sku_code": str(_get(row, "skuCode") or "")[:64],
            "payload": row if isinstance(row, dict) else {"value": str(row)[:200]},
            "status": "pending",
        }
        for i, row in enumerate(rows)
    ]
    for start in range(0, len(feed), 5000):
        db.execute(insert(ManufacturerDeviceFeed), feed[start : start + 5000])
    audit.record(
        db,
        actor,
        "device.bulk_import",
        "device_registration_batch",
        batch.id,
        f"batch {external_batch_id[:40]} received with {len(rows):,} rows",
    )
    return batch, True


def _get(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, dict) else None


def chunks(batch: DeviceRegistrationBatch) -> list[tuple[int, int]]:
    """Row-number ranges [start, end] for the workers."""
    return [
        (s, min(s + CHUNK - 1, batch.total_count)) for s in range(1, batch.total_count + 1, CHUNK)
    ]


@dataclass
class _Row:
    feed: ManufacturerDeviceFeed
    error: str | None = None
    device: dict[str, Any] | None = None


def _check_row(row: _Row, skus: dict[str, Sku], facilities: FacilityLookup) -> None:
    """Every problem of the row, not only the first, goes into `row.error`."""
    data = row.feed.payload if isinstance(row.feed.payload, dict) else {}
    problems: list[str] = []

    def check(read):
        try:
            return read()
        except DomainError as exc:
            problems.append(exc.message)
            return None

    serial = str(data.get("serialNumber") or "").strip()
    if not SERIAL.match(serial):
        problems.append("serialNumber: missing or not 1-80 letters, digits or . _ / -")
    code = str(data.get("skuCode") or "").strip().upper()
    if code not in skus:
        problems.append(f"unknown SKU {code or '(empty)'} for this manufacturer")
    named = data.get("facility") or data.get("facilityId")
    facility = check(lambda: facilities.find(str(named))) if named else None
    install = check(lambda: _install_date(data.get("installationDate")))
    udi = check(lambda: _udi(data.get("udi")))
    if problems:
        row.error = " | ".join(problems)[:500]
        return
    row.device = {
        "serial_number": serial,
        "sku_id": skus[code].id,
        "facility_id": facility.id if facility else None,
        "install_date": install,
        "udi": udi,
    }


def _install_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        day = parse_day_first(str(value))
    except ValueError as exc:
        raise Invalid("installationDate", f"'{str(value)[:20]}' {DATE_HINT}") from exc
    return check_install_date(day)


def _udi(value: Any) -> str | None:
    if not value:
        return None
    from services.devices.gs1 import parse_udi

    return parse_udi(str(value)).raw


def process_chunk(
    db: Session, actor: Actor, batch_id: uuid.UUID, first: int, last: int
) -> tuple[int, int]:
    """Register rows `first`..`last` of a batch (only rows still pending, so a re-run is
    harmless) and issue their labels. Returns (rows done in the batch, total)."""
    from services.devices.labels import issue_labels_bulk

    feed = list(
        db.exec(
            select(ManufacturerDeviceFeed)
            .where(
                ManufacturerDeviceFeed.import_batch_id == batch_id,
                ManufacturerDeviceFeed.row_number.between(first, last),
                ManufacturerDeviceFeed.status == "pending",
            )
            .with_for_update(skip_locked=True)
        )
    )
    rows = [_Row(f) for f in feed]
    skus = {s.code: s for s in db.exec(select(Sku).where(Sku.tenant_id == actor.tenant_id))}
    names_a_site = any(
        isinstance(r.feed.payload, dict)
        and (r.feed.payload.get("facility") or r.feed.payload.get("facilityId"))
        for r in rows
    )
    facilities = FacilityLookup(_installable(db, actor) if names_a_site else [])
    for row in rows:
        _check_row(row, skus, facilities)
    _mark_duplicates_in_chunk(rows)
    good = [r for r in rows if r.device]
    created = _insert_devices(db, actor, good)
    for row in good:
        device_id = created.get(row.device["serial_number"])
        if device_id is None:
            row.error = "serial already registered for this manufacturer"
        else:
            row.device["id"] = device_id
    issue_labels_bulk(db, actor, [r.device["id"] for r in rows if r.device and not r.error])
    ok = _record_outcomes(db, rows)
    return _count_progress(db, batch_id, ok, len(rows) - ok)


def _installable(db: Session, actor: Actor) -> list[HealthcareFacility]:
    """The sites the actor may register devices at: their own, and customers' sites
    shared with them (row-level security shows no others)."""
    sites = db.exec(select(HealthcareFacility).where(HealthcareFacility.tenant_id.is_not(None)))
    return [f for f in sites if _may_install(db, actor, f)]


def _may_install(db: Session, actor: Actor, facility: HealthcareFacility) -> bool:
    try:
        check_site(db, actor, facility, actor.tenant_id)
    except Forbidden:
        return False
    return True


def _mark_duplicates_in_chunk(rows: list[_Row]) -> None:
    seen: set[str] = set()
    for row in rows:
        if row.device:
            serial = row.device["serial_number"]
            if serial in seen:
                row.error, row.device = "serial repeated in this batch", None
            seen.add(serial)


def _insert_devices(db: Session, actor: Actor, rows: list[_Row]) -> dict[str, uuid.UUID]:
    if not rows:
        return {}
    values = [
        {
            "id": uuid.uuid4(),
            "tenant_id": actor.tenant_id,
            "manufacturer_tenant_id": actor.tenant_id,
            "lifecycle_status": "registered",
            "amc_status": "warranty",
            **r.device,
        }
        for r in rows
    ]
    result = db.execute(
        insert(Equipment)
        .values(values)
        .on_conflict_do_nothing(index_elements=["manufacturer_tenant_id", "serial_number"])
        .returning(Equipment.id, Equipment.serial_number)
    )
    return {serial: device_id for device_id, serial in result}


def _record_outcomes(db: Session, rows: list[_Row]) -> int:
    updates = [
        {
            "i": r.feed.id,
            "s": "failed" if r.error else "registered",
            "e": r.error,
            "d": None if r.error else r.device["id"],
        }
        for r in rows
    ]
    if updates:
        db.execute(
            text(
                "UPDATE manufacturer_device_feed SET status = :s, error = :e, "
                "device_id = :d WHERE id = :i"
            ),
            updates,
        )
    return sum(1 for r in rows if not r.error)


def _count_progress(db: Session, batch_id: uuid.UUID, ok: int, bad: int) -> tuple[int, int]:
    row = db.execute(
        text(
            "UPDATE device_registration_batch SET processed_count = processed_count + :ok, "
            "failed_count = failed_count + :bad, status = 'processing' WHERE id = :b "
            "RETURNING processed_count + failed_count AS done, total_count"
        ),
        {"ok": ok, "bad": bad, "b": batch_id},
    ).one()
    return row.done, row.total_count


def finish_batch(db: Session, actor: Actor, batch: DeviceRegistrationBatch) -> None:
    """Mark a fully processed batch done; emits BatchProcessed."""
    from services.columns import utcnow

    batch.status = "completed"
    batch.completed_at = utcnow()
    db.add(batch)
    audit.record(
        db,
        actor,
        "device.bulk_import_done",
        "device_registration_batch",
        batch.id,
        f"{batch.processed_count:,} registered, {batch.failed_count:,} rejected",
    )
    emit(
        db,
        actor,
        "BatchProcessed",
        "device_registration_batch",
        batch.id,
        {
            "processed": batch.processed_count,
            "failed": batch.failed_count,
            "kitId": str(batch.kit_id) if batch.kit_id else None,
        },
    )


def batch_view(db: Session, batch: DeviceRegistrationBatch, error_limit: int = 100) -> dict:
    errors = db.exec(
        select(ManufacturerDeviceFeed)
        .where(
            ManufacturerDeviceFeed.import_batch_id == batch.id,
            ManufacturerDeviceFeed.status == "failed",
        )
        .order_by(ManufacturerDeviceFeed.row_number)
        .limit(error_limit)
    )
    return {
        "batchId": str(batch.id),
        "externalBatchId": batch.external_batch_id,
        "status": batch.status,
        "totalDevices": batch.total_count,
        "processedDevices": batch.processed_count,
        "failedDevices": batch.failed_count,
        "qrBatchUrl": f"/api/v1/devices/batches/{batch.id}/kit.pdf" if batch.kit_id else None,
        "errors": [
            {
                "row": e.row_number,
                "serialNumber": e.serial_number,
                "skuCode": e.sku_code,
                "error": e.error,
            }
            for e in errors
        ],
    }


def batch_errors(db: Session, batch_id: uuid.UUID) -> list[ManufacturerDeviceFeed]:
    return list(
        db.exec(
            select(ManufacturerDeviceFeed)
            .where(
                ManufacturerDeviceFeed.import_batch_id == batch_id,
                ManufacturerDeviceFeed.status == "failed",
            )
            .order_by(ManufacturerDeviceFeed.row_number)
        )
    )
