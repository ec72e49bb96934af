"""Scanning a device's label: what it is, and confirming where it was deployed."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.catalog.models import Sku
from services.columns import utcnow
from services.common.roles import INSTALLERS
from services.contracts.models import Contract
from services.devices.models import Equipment, QrCode, QrDeploymentLog
from services.devices.registry import facility_location
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.geo.distance import check_coordinates, haversine_m
from services.geo.models import HealthcareFacility
from services.qr.codes import read_label
from services.qr.signing import sign_scan_token, verify_label, verify_scan_token
from services.settings import get_settings

log = logging.getLogger("yantra.qr")
OPEN_TICKET_STATES = ("resolved", "closed", "cancelled")
# The people who put devices on site: they alone confirm a deployment.


def _label(db: Session, qr_id: uuid.UUID) -> QrCode:
    label = db.get(QrCode, qr_id)
    if label is None:
        raise NotFound("No device you can see carries this label")
    return label


def _labelled_device(
    db: Session, scanned_or_typed: str, field: str = "qrPayload"
) -> tuple[QrCode, Equipment]:
    """The current label and its device, from a scanned payload or a typed short code."""
    claim = read_label(db, scanned_or_typed, field)
    label = _label(db, claim.qr_id)
    if label.device_id != claim.device_id:
        raise Invalid(field, "the label does not match its device record")
    if label.status != "active":
        raise Conflict("This label was replaced by a newer one; use the device's current label")
    device = db.get(Equipment, label.device_id)
    if device is None:
        raise NotFound("No device you can see carries this label")
    return label, device


def device_by_label(db: Session, scanned_or_typed: str, field: str = "qrPayload") -> dict:
    """The device a label (scanned, or its short code typed) belongs to, as `device_context`.

    Raises Invalid(field), NotFound or Conflict as `scan` does."""
    return device_context(db, _labelled_device(db, scanned_or_typed, field)[1])


def scan(db: Session, actor: Actor, payload: str) -> dict[str, Any]:
    """The device behind a label, scanned or its short code typed (`JFW7-JHQT`), with its
    open tickets and contract.

    Raises Invalid (not a Yantra label, truncated, altered, forged, retired key, a short
    code no visible label carries), NotFound (no device the actor can see) or Conflict
    (the label was replaced).
    """
    label, device = _labelled_device(db, payload)
    context = device_context(db, device)
    audit.record(db, actor, "qr.scan", "equipment", device.id, "label scanned")
    emit(db, actor, "QRScanned", "equipment", device.id, {"qrId": str(label.id)})
    token, expires = (None, None)
    if actor.user_id is not None:
        token, expires = sign_scan_token(label.id, device.id, actor.user_id, utcnow())
    return {
        **context,
        "qrId": str(label.id),
        "scanToken": token,
        "scanTokenExpiresAt": expires.isoformat() if expires else None,
    }


def device_context(db: Session, device: Equipment) -> dict[str, Any]:
    """What a technician needs at the device: model, site, contract, open tickets."""
    sku = db.get(Sku, device.sku_id)
    facility = db.get(HealthcareFacility, device.facility_id) if device.facility_id else None
    contract = db.get(Contract, device.contract_id) if device.contract_id else None
    tickets = db.execute(
        text(
            "SELECT id, priority, status, error_code, opened_at FROM ticket "
            "WHERE equipment_id = :d AND NOT (status = ANY(:closed)) "
            "ORDER BY opened_at DESC LIMIT 20"
        ),
        {"d": device.id, "closed": list(OPEN_TICKET_STATES)},
    )
    return {
        "deviceId": str(device.id),
        "serialNumber": device.serial_number,
        "udi": device.udi,
        "facility": str(device.facility_id) if device.facility_id else None,
        "facilityName": facility.name if facility else None,
        "pincode": facility.pincode if facility else None,
        "skuCode": sku.code if sku else None,
        "model": sku.name if sku else None,
        "category": sku.category if sku else None,
        "lifecycleStatus": device.lifecycle_status,
        "amcStatus": device.amc_status,
        "amcEnd": device.amc_end.isoformat() if device.amc_end else None,
        "slaTier": device.current_sla,
        "contract": None
        if contract is None
        else {
            "contractId": str(contract.id),
            "kind": contract.kind,
            "status": contract.status,
            "slaTier": contract.sla_tier,
            "endsOn": contract.ends_on.isoformat() if contract.ends_on else None,
        },
        "openTickets": [
            {
                "ticketId": str(t.id),
                "priority": t.priority,
                "status": t.status,
                "errorCode": t.error_code,
                "openedAt": t.opened_at.isoformat(),
            }
            for t in tickets
        ],
    }


def log_refused_scan(db: Session, actor: Actor, reason: str) -> None:
    """Keep a trace of a refused label (forged, altered, revoked...) without its content."""
    log.warning("refused QR scan: %s", reason)
    audit.record(db, actor, "qr.scan_refused", "qr", "", reason[:400])


def scanned_label(
    actor: Actor,
    qr_payload: str | None,
    scan_token: str | None,
    qr_id: uuid.UUID | None = None,
    db: Session | None = None,
) -> uuid.UUID:
    """The label the actor proves they scanned: the signed label itself (or, given `db`,
    its short code as printed on it), or a scan token that POST /qr/scan gave this same
    user less than 10 minutes ago.

    Raises Invalid (no proof, a damaged, altered or expired one, or a qrId that is not the
    scanned label) or Forbidden (another user's scan token).
    """
    if qr_payload:
        scanned = (read_label(db, qr_payload) if db else verify_label(qr_payload)).qr_id
    elif scan_token:
        claim = verify_scan_token(scan_token, utcnow())
        if actor.user_id is None or claim.user_id != actor.user_id:
            raise Forbidden("This scan token was issued to someone else; scan the label yourself")
        scanned = claim.qr_id
    else:
        raise Invalid(
            "qrPayload",
            "proof that the label was scanned is missing: send the "
            "label as scanned (qrPayload) or the scanToken that POST "
            "/api/v1/qr/scan returned to you; a qrId alone proves nothing",
        )
    if qr_id is not None and qr_id != scanned:
        raise Invalid("qrId", "is not the label that was scanned")
    return scanned


def validate_deployment(
    db: Session, actor: Actor, qr_id: uuid.UUID, lat: object, lng: object
) -> dict[str, Any]:
    """Check a scanned label is at its facility; every attempt is logged. `qr_id` must come
    from `scanned_label`, the proof that the label was scanned.

    A first valid scan moves the device to deployed, then active, and emits QRDeployed.
    Raises Forbidden (not an installer), Invalid (coordinates) or NotFound (label).
    """
    actor.require(*INSTALLERS)
    lat_f, lng_f = check_coordinates(lat, lng)
    label = _label(db, qr_id)
    device = db.get(Equipment, label.device_id)
    if device is None:
        raise NotFound("No device you can see carries this label")
    radius = get_settings().qr_deploy_radius_m
    distance, reason = None, ""
    if label.status != "active":
        reason = "the label was replaced by a newer one"
    elif device.lifecycle_status == "decommissioned":
        reason = "the device is decommissioned"
    elif device.facility_id is None:
        reason = "the device has no facility to deploy at"
    else:
        facility = db.get(HealthcareFacility, device.facility_id)
        distance = haversine_m(lat_f, lng_f, *facility_location(db, facility))
        if distance > radius:
            reason = (
                f"scanned {distance / 1000:.1f} km from the facility; "
                f"it must be within {radius:.0f} m"
            )
    is_valid = not reason
    now = utcnow()
    db.add(
        QrDeploymentLog(
            tenant_id=actor.tenant_id,
            qr_id=label.id,
            device_id=device.id,
            location_lat=lat_f,
            location_lng=lng_f,
            deployed_by_user_id=actor.user_id,
            is_valid=is_valid,
            distance_m=distance,
            reason=reason or "within radius",
            validated_at=now,
        )
    )
    if is_valid and device.lifecycle_status in ("registered", "qr_printed"):
        _deploy(db, actor, device, label, now)
    audit.record(
        db,
        actor,
        "qr.validate",
        "equipment",
        device.id,
        "deployment confirmed" if is_valid else f"deployment refused: {reason}",
    )
    return {
        "isValid": is_valid,
        "deviceId": str(device.id),
        "validatedAt": now.isoformat(),
        "distanceMeters": None if distance is None else round(distance, 1),
        "reason": reason or None,
        "lifecycleStatus": device.lifecycle_status,
    }


def _deploy(db: Session, actor: Actor, device: Equipment, label: QrCode, now) -> None:
    device.lifecycle_status, device.deployed_at = "deployed", now
    db.add(device)
    db.flush()
    audit.record(db, actor, "device.deployed", "equipment", device.id, "label deployed on site")
    device.lifecycle_status = "active"
    db.add(device)
    audit.record(db, actor, "device.activated", "equipment", device.id, "device active")
    emit(db, actor, "QRDeployed", "equipment", device.id, {"qrId": str(label.id)})
