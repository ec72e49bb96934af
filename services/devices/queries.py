"""Finding devices: the registry list, one device in full, and identification without a label."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from services.audit.models import AuditEntry
from services.catalog.models import Sku
from services.devices.models import Equipment, QrCode, QrDeploymentLog
from services.devices.registry import facility_location
from services.devices.scanning import device_context
from services.errors import Invalid, NotFound
from services.geo.models import HealthcareFacility, IndianPincode
from services.settings import get_settings

LIFECYCLE = ("registered", "qr_printed", "deployed", "active", "decommissioned")


def _cursor(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    try:
        serial, _, device_id = base64.urlsafe_b64decode(value.encode()).decode().partition("\n")
        uuid.UUID(device_id)
        return serial, device_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("after", "is not a cursor this API returned") from exc


def list_devices(
    db: Session,
    *,
    facility_id: uuid.UUID | None = None,
    status: str | None = None,
    q: str | None = None,
    amc_before: date | None = None,
    limit: int = 50,
    after: str | None = None,
) -> dict[str, Any]:
    """Devices the actor can see, by serial, with a cursor for the next page.

    `q` matches serial, UDI, model, SKU code or facility name (case-insensitive).
    Raises Invalid for an unknown status or a bad cursor.
    """
    if status and status not in LIFECYCLE:
        raise Invalid("status", f"must be one of {', '.join(LIFECYCLE)}")
    stmt = (
        select(Equipment, Sku, HealthcareFacility, IndianPincode)
        .join(Sku, Sku.id == Equipment.sku_id)
        .outerjoin(HealthcareFacility, HealthcareFacility.id == Equipment.facility_id)
        .outerjoin(IndianPincode, IndianPincode.pincode == HealthcareFacility.pincode)
    )
    if facility_id:
        stmt = stmt.where(Equipment.facility_id == facility_id)
    if status:
        stmt = stmt.where(Equipment.lifecycle_status == status)
    if amc_before:
        stmt = stmt.where(Equipment.amc_end <= amc_before)
    if q and q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                Equipment.serial_number.ilike(like),
                Equipment.udi.ilike(like),
                Sku.name.ilike(like),
                Sku.code.ilike(like),
                HealthcareFacility.name.ilike(like),
            )
        )
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    position = _cursor(after)
    if position:
        stmt = stmt.where(
            func.row(Equipment.serial_number, Equipment.id)
            > func.row(position[0], uuid.UUID(position[1]))
        )
    rows = list(db.exec(stmt.order_by(Equipment.serial_number, Equipment.id).limit(limit + 1)))
    page = rows[:limit]
    items = [
        {
            "deviceId": str(e.id),
            "serialNumber": e.serial_number,
            "skuCode": s.code,
            "model": s.name,
            "category": s.category,
            "facilityId": str(e.facility_id or ""),
            "facilityName": f.name if f else "",
            "city": p.city if p else "",
            "pincode": f.pincode if f else "",
            "lifecycleStatus": e.lifecycle_status,
            "amcStatus": e.amc_status,
            "amcEnd": e.amc_end.isoformat() if e.amc_end else None,
            "installationDate": e.install_date.isoformat() if e.install_date else None,
        }
        for e, s, f, p in page
    ]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1][0]
        next_cursor = base64.urlsafe_b64encode(f"{last.serial_number}\n{last.id}".encode()).decode()
    return {"devices": items, "total": total, "next": next_cursor}


def get_device(db: Session, device_id: uuid.UUID) -> dict[str, Any]:
    """One device with its contract, label, deployment log and history. Raises NotFound."""
    from services.qr.links import label_png

    device = db.get(Equipment, device_id)
    if device is None:
        raise NotFound("No device with that id that you can see")
    detail = device_context(db, device)
    label = db.exec(
        select(QrCode).where(QrCode.device_id == device.id, QrCode.status == "active")
    ).first()
    detail["qr"] = (
        None
        if label is None
        else {
            "qrId": str(label.id),
            "payload": label.payload,
            "keyId": label.key_id,
            "qrCode": base64.b64encode(label_png(label.payload)).decode(),
        }
    )
    detail["installationDate"] = device.install_date.isoformat() if device.install_date else None
    detail["deployments"] = [
        {
            "at": d.validated_at.isoformat(),
            "lat": d.location_lat,
            "lng": d.location_lng,
            "isValid": d.is_valid,
            "distanceMeters": d.distance_m,
            "reason": d.reason,
        }
        for d in db.exec(
            select(QrDeploymentLog)
            .where(QrDeploymentLog.device_id == device.id)
            .order_by(QrDeploymentLog.validated_at.desc())
            .limit(100)
        )
    ]
    detail["history"] = [
        {
            "at": a.created_at.isoformat(),
            "action": a.action,
            "actor": a.actor_label,
            "summary": a.summary,
        }
        for a in db.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "equipment", AuditEntry.entity_id == str(device.id))
            .order_by(AuditEntry.seq.desc())
            .limit(100)
        )
    ]
    return detail


def identify(db: Session, *, serial: str | None = None, udi: str | None = None) -> list[dict]:
    """Devices matching a serial number or a GS1 UDI, for when the label is gone."""
    if not serial and not udi:
        raise Invalid("serial", "give a serial number or a UDI")
    conditions = []
    if serial:
        conditions.append(func.lower(Equipment.serial_number) == serial.strip().lower())
    if udi:
        from services.devices.gs1 import parse_udi

        parsed = parse_udi(udi)
        conditions.append(Equipment.udi == parsed.raw)
        if parsed.serial:
            conditions.append(Equipment.serial_number == parsed.serial)
    devices = db.exec(select(Equipment).where(or_(*conditions)).limit(20))
    return [device_context(db, d) for d in devices]


def deployment_site(db: Session, device_id: uuid.UUID) -> dict[str, Any] | None:
    """Where the device is deployed, for its map: the facility's name, its coordinates (or
    its pincode's centroid) and the radius a label scan must fall in. None for a device
    without a facility."""
    device = db.get(Equipment, device_id)
    facility = (
        db.get(HealthcareFacility, device.facility_id) if device and device.facility_id else None
    )
    if facility is None:
        return None
    return {
        "name": facility.name,
        "site": facility_location(db, facility),
        "radiusM": get_settings().qr_deploy_radius_m,
    }
