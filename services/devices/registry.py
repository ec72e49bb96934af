"""Registering devices and issuing their QR labels."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.catalog.models import Sku
from services.columns import utcnow
from services.common.clock import today_ist
from services.common.roles import LABEL_PRINTERS, REGISTRARS
from services.devices.models import Equipment, QrCode
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.geo.models import HealthcareFacility

SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,79}$")
AMC_STATUSES = ("none", "warranty", "amc", "cmc")
SLA_TIERS = ("platinum", "gold", "silver", "bronze")


@dataclass(frozen=True)
class RegisterDevice:
    serial_number: str
    sku_code: str
    facility_id: uuid.UUID | None
    installation_date: date | None = None
    udi: str | None = None
    amc_status: str = "none"
    amc_start: date | None = None
    amc_end: date | None = None
    sla_tier: str | None = None
    manufacturer_id: uuid.UUID | None = None  # when several OEMs use the same SKU code
    contract_id: uuid.UUID | None = None


def check_serial(serial: str) -> str:
    serial = (serial or "").strip()
    if not SERIAL.match(serial):
        raise Invalid(
            "serialNumber", "use 1-80 letters, digits or . _ / - (starting with a letter or digit)"
        )
    return serial


def check_install_date(value: date | None) -> date | None:
    if value is None:
        return None
    if value > today_ist():
        raise Invalid("installationDate", "cannot be in the future")
    if value.year < 1980:
        raise Invalid("installationDate", "is before 1980")
    return value


def find_sku(db: Session, code: str, manufacturer_id: uuid.UUID | None = None) -> Sku:
    """The SKU with `code` (of `manufacturer_id` when given). Raises NotFound or Invalid."""
    code = (code or "").strip().upper()
    if not code:
        raise Invalid("skuCode", "is required")
    stmt = select(Sku).where(Sku.code == code, Sku.is_active)
    if manufacturer_id is not None:
        stmt = stmt.where(Sku.tenant_id == manufacturer_id)
    matches = list(db.exec(stmt.limit(2)))
    if not matches:
        raise NotFound(f"No SKU with code {code} in the catalog")
    if len(matches) > 1:
        raise Invalid(
            "skuCode",
            f"{code} is used by several manufacturers; register it through "
            "the manufacturer's bulk import",
        )
    return matches[0]


def find_facility(db: Session, facility_id: uuid.UUID | None) -> HealthcareFacility:
    if facility_id is None:
        raise Invalid("facilityId", "is required")
    facility = db.get(HealthcareFacility, facility_id)
    if facility is None:
        raise NotFound("No facility with that id that you can see")
    return facility


def check_site(
    db: Session, actor: Actor, facility: HealthcareFacility, manufacturer_id: uuid.UUID
) -> None:
    """A device goes to a facility of the actor's organisation, or, for its manufacturer,
    to a customer's facility that shared access with it. Raises Forbidden otherwise."""
    if facility.tenant_id == actor.tenant_id:
        return
    if (
        facility.tenant_id is not None
        and actor.tenant_kind == TenantKind.OEM
        and manufacturer_id == actor.tenant_id
        and _shared_with(db, actor, facility)
    ):
        return
    raise Forbidden(
        "Devices are registered at your organisation's own facilities, or by their "
        "manufacturer at a customer's facility that shared access with it"
    )


def _shared_with(db: Session, actor: Actor, facility: HealthcareFacility) -> bool:
    return (
        db.execute(
            text(
                "SELECT 1 FROM access_grant WHERE tenant_id = :owner AND grantee_tenant_id = :me "
                "AND entity_type = 'facility' AND (entity_id IS NULL OR entity_id = :f) LIMIT 1"
            ),
            {"owner": facility.tenant_id, "me": actor.tenant_id, "f": facility.id},
        ).first()
        is not None
    )


def serial_taken(db: Session, actor: Actor, manufacturer_id: uuid.UUID, serial: str) -> Conflict:
    """The answer for a serial the database already holds for this manufacturer. It says
    "already registered" only when the device is the actor's own (owner or manufacturer),
    so nobody learns which serials another organisation holds."""
    own = db.exec(
        select(Equipment.id).where(
            Equipment.manufacturer_tenant_id == manufacturer_id,
            Equipment.serial_number == serial,
            (Equipment.tenant_id == actor.tenant_id)
            | (Equipment.manufacturer_tenant_id == actor.tenant_id),
        )
    ).first()
    if own is not None:
        return Conflict(f"Serial {serial} is already registered in your organisation")
    return Conflict(
        f"Serial {serial} cannot be registered here. Check it against the device's "
        "rating plate; if it is right, ask the manufacturer to transfer the device "
        "to you"
    )


def _check_contract_terms(cmd: RegisterDevice) -> None:
    if cmd.amc_status not in AMC_STATUSES:
        raise Invalid("amcStatus", f"must be one of {', '.join(AMC_STATUSES)}")
    if cmd.sla_tier is not None and cmd.sla_tier not in SLA_TIERS:
        raise Invalid("slaTier", f"must be one of {', '.join(SLA_TIERS)}")
    if cmd.amc_start and cmd.amc_end and cmd.amc_end < cmd.amc_start:
        raise Invalid("amcEnd", "is before the AMC start")


def register_device(db: Session, actor: Actor, cmd: RegisterDevice) -> tuple[Equipment, QrCode]:
    """Register one installed device and issue its label; emits DeviceOnboarded.

    Raises Forbidden (role, or a facility neither the actor's nor shared with it as the
    device's manufacturer), Invalid (field), NotFound (SKU or facility) or Conflict (the
    serial is taken for this manufacturer; see `serial_taken`).
    """
    actor.require(*REGISTRARS)
    serial = check_serial(cmd.serial_number)
    install = check_install_date(cmd.installation_date)
    _check_contract_terms(cmd)
    maker = cmd.manufacturer_id
    if maker is None and actor.tenant_kind == TenantKind.OEM:
        maker = actor.tenant_id  # a manufacturer registers its own products
    sku = find_sku(db, cmd.sku_code, maker)
    facility = find_facility(db, cmd.facility_id)
    check_site(db, actor, facility, sku.tenant_id)
    udi = None
    if cmd.udi:
        from services.devices.gs1 import parse_udi

        udi = parse_udi(cmd.udi).raw
    device = Equipment(
        tenant_id=actor.tenant_id,
        manufacturer_tenant_id=sku.tenant_id,
        sku_id=sku.id,
        facility_id=facility.id,
        serial_number=serial,
        udi=udi,
        install_date=install,
        amc_status=cmd.amc_status,
        amc_start=cmd.amc_start,
        amc_end=cmd.amc_end,
        current_sla=cmd.sla_tier,
        lifecycle_status="registered",
        contract_id=cmd.contract_id,
    )
    try:
        with db.begin_nested():
            db.add(device)
            db.flush()
    except IntegrityError as exc:
        raise serial_taken(db, actor, sku.tenant_id, serial) from exc
    label = issue_label(db, actor, device)
    audit.record(
        db,
        actor,
        "device.register",
        "equipment",
        device.id,
        f"{sku.code} registered at a facility (pincode {facility.pincode})",
    )
    emit(
        db,
        actor,
        "DeviceOnboarded",
        "equipment",
        device.id,
        {"skuCode": sku.code, "facilityId": str(facility.id), "source": "register"},
    )
    return device, label


def issue_label(db: Session, actor: Actor, device: Equipment, *, matrix: bool = True) -> QrCode:
    """A new signed label for `device`; its previous label stops working."""
    from services.qr.links import label_matrix
    from services.qr.signing import sign_label
    from services.qr.symbols import pack_matrix

    db.execute(
        update(QrCode)
        .where(QrCode.device_id == device.id, QrCode.status == "active")
        .values(status="revoked", revoked_at=utcnow())
    )
    qr_id = uuid.uuid4()
    payload, key_id = sign_label(qr_id, device.id)
    label = QrCode(
        id=qr_id,
        tenant_id=actor.tenant_id,
        device_id=device.id,
        key_id=key_id,
        payload=payload,
        matrix=pack_matrix(label_matrix(payload)) if matrix else None,
    )
    db.add(label)
    db.flush()
    return label


def reissue_label(db: Session, actor: Actor, device_id: uuid.UUID) -> QrCode:
    """Print a fresh label for a device the actor can see (the old one is revoked)."""
    actor.require(*LABEL_PRINTERS)
    device = db.get(Equipment, device_id)
    if device is None:
        raise NotFound("No device with that id that you can see")
    if device.lifecycle_status == "decommissioned":
        raise Conflict("The device is decommissioned; it needs no label")
    label = issue_label(db, actor, device)
    audit.record(db, actor, "qr.generate", "equipment", device.id, "new label issued")
    return label


def facility_location(db: Session, facility: HealthcareFacility) -> tuple[float, float]:
    """The facility's own coordinates, else its pincode's centroid."""
    if facility.latitude is not None and facility.longitude is not None:
        return facility.latitude, facility.longitude
    row = db.execute(
        text("SELECT latitude, longitude FROM indian_pincodes WHERE pincode = :p"),
        {"p": facility.pincode},
    ).one()
    return row.latitude, row.longitude
