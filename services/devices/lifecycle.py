"""A device's life after registration: its details edited, moved between sites of its
owner, taken out of service and back, decommissioned with a reason.

Only the owner's people change a device (the same checks as registration apply to what
they type); each change is audited. The QR label signs the device's id, not its site, so
a moved device keeps its label."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import DEVICE_KEEPERS
from services.devices.models import Equipment
from services.devices.registry import (
    RegisterDevice,
    _check_contract_terms,
    check_install_date,
    check_serial,
    find_facility,
    serial_taken,
)
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit

STATES = ("in_service", "out_of_service", "decommissioned")
MAX_REASON = 500
UNSET = object()


@dataclass(frozen=True)
class DeviceEdit:
    """The details to change; a field left None stays as it is."""

    serial_number: str | None = None
    installation_date: date | None = None
    udi: str | None = None
    amc_status: str | None = None
    amc_start: date | None = None
    amc_end: date | None = None
    sla_tier: str | None = None
    facility_id: uuid.UUID | None = None


def _own_device(db: Session, actor: Actor, device_id: uuid.UUID) -> Equipment:
    actor.require(*DEVICE_KEEPERS)
    device = db.get(Equipment, device_id, with_for_update=True)
    if device is None:
        raise NotFound("No device with that id that you can see")
    if device.tenant_id != actor.tenant_id:
        raise Forbidden("Only the device's owner changes it")
    return device


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise Invalid("reason", f"say why (up to {MAX_REASON} characters)")
    return reason


def _live(device: Equipment) -> None:
    if device.service_state == "decommissioned":
        raise Conflict("The device is decommissioned; it cannot be changed")


def update_device(db: Session, actor: Actor, device_id: uuid.UUID, edit: DeviceEdit) -> Equipment:
    """Change a device's details and, optionally, its site (see `transfer_device`), with
    the checks of registration. Raises Forbidden, NotFound, Invalid (field) or Conflict
    (serial taken, or the device decommissioned)."""
    device = _own_device(db, actor, device_id)
    _live(device)
    merged = RegisterDevice(
        serial_number=edit.serial_number or device.serial_number,
        sku_code="",
        facility_id=device.facility_id,
        amc_status=edit.amc_status or device.amc_status,
        amc_start=edit.amc_start or device.amc_start,
        amc_end=edit.amc_end or device.amc_end,
        sla_tier=edit.sla_tier or device.current_sla,
    )
    _check_contract_terms(merged)
    changed = []
    if edit.serial_number is not None:
        serial = check_serial(edit.serial_number)
        if serial != device.serial_number:
            taken = db.execute(
                text(
                    "SELECT 1 FROM equipment WHERE manufacturer_tenant_id = :m "
                    "AND serial_number = :s AND id <> :d"
                ),
                {"m": device.manufacturer_tenant_id, "s": serial, "d": device.id},
            ).first()
            if taken:
                raise serial_taken(db, actor, device.manufacturer_tenant_id, serial)
            device.serial_number = serial
            changed.append("serial")
    if edit.installation_date is not None:
        device.install_date = check_install_date(edit.installation_date)
        changed.append("installation date")
    if edit.udi is not None:
        from services.devices.gs1 import parse_udi

        device.udi = parse_udi(edit.udi).raw if edit.udi.strip() else None
        changed.append("UDI")
    device.amc_status, device.amc_start = merged.amc_status, merged.amc_start
    device.amc_end, device.current_sla = merged.amc_end, merged.sla_tier
    db.add(device)
    if edit.facility_id is not None and edit.facility_id != device.facility_id:
        transfer_device(db, actor, device.id, edit.facility_id, "edited")
    summary = ", ".join(changed) or "contract details"
    audit.record(db, actor, "device.update", "equipment", device.id, f"{summary} changed")
    return device


def transfer_device(
    db: Session, actor: Actor, device_id: uuid.UUID, facility_id: uuid.UUID, note: str = ""
) -> Equipment:
    """Move a device to another site of the same organisation; its label stays valid and
    its open tickets follow it. Audited with both sites. Emits DeviceTransferred.

    Raises Forbidden (another organisation's site), NotFound, Invalid or Conflict."""
    device = _own_device(db, actor, device_id)
    _live(device)
    target = find_facility(db, facility_id)
    if target.tenant_id != device.tenant_id:
        raise Forbidden("A device moves only between its own organisation's sites")
    if target.id == device.facility_id:
        raise Invalid("facilityId", "the device is already at that site")
    source = find_facility(db, device.facility_id) if device.facility_id else None
    device.facility_id = target.id
    db.add(device)
    db.execute(
        text(
            "UPDATE ticket SET facility_id = :f WHERE equipment_id = :d "
            "AND status NOT IN ('resolved', 'closed', 'cancelled')"
        ),
        {"f": target.id, "d": device.id},
    )
    moved = f"moved from {source.name if source else 'no site'} to {target.name}"
    audit.record(
        db,
        actor,
        "device.transfer",
        "equipment",
        device.id,
        f"{moved}{': ' + note.strip()[:200] if note and note.strip() else ''}",
    )
    emit(
        db,
        actor,
        "DeviceTransferred",
        "equipment",
        device.id,
        {"from": str(source.id) if source else None, "to": str(target.id)},
    )
    return device


def set_service_state(
    db: Session, actor: Actor, device_id: uuid.UUID, state: str, reason: str
) -> Equipment:
    """Take a device out of service, put it back, or decommission it, with the reason.
    A decommissioned device is final and needs no open tickets. Raises Forbidden,
    NotFound, Invalid (state, reason) or Conflict."""
    if state not in STATES:
        raise Invalid("state", f"must be one of {', '.join(STATES)}")
    device = _own_device(db, actor, device_id)
    _live(device)
    reason = _reason(reason) if state != "in_service" else (reason or "").strip()[:MAX_REASON]
    if state == device.service_state:
        raise Conflict(f"The device is already {state.replace('_', ' ')}")
    if state == "decommissioned":
        open_count = db.execute(
            text(
                "SELECT count(*) FROM ticket WHERE equipment_id = :d "
                "AND status NOT IN ('resolved', 'closed', 'cancelled')"
            ),
            {"d": device.id},
        ).scalar_one()
        if open_count:
            raise Conflict(f"Close or cancel the device's {open_count} open ticket(s) first")
        device.lifecycle_status = "decommissioned"
        device.decommissioned_at = utcnow()
    old = device.service_state
    device.service_state, device.service_state_reason = state, reason
    device.service_state_at = utcnow()
    db.add(device)
    audit.record(
        db,
        actor,
        f"device.{state}",
        "equipment",
        device.id,
        f"{old.replace('_', ' ')} -> {state.replace('_', ' ')}: {reason}"[:400],
    )
    emit(db, actor, "DeviceStateChanged", "equipment", device.id, {"from": old, "to": state})
    return device
