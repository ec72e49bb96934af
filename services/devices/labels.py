"""Labels in bulk and the printable kits made from them."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.catalog.models import Sku
from services.columns import utcnow
from services.common.roles import REGISTRARS
from services.devices.models import Equipment, ManufacturerDeviceFeed, QrCode, QrKit
from services.errors import Invalid, NotFound
from services.geo.models import HealthcareFacility, IndianPincode
from services.qr.kit import FacilityInfo, KitGroup, Label, build_kit, short_code
from services.qr.signing import sign_label
from services.qr.symbols import pack_matrix, qr_matrix, unpack_matrix

UNASSIGNED = FacilityInfo("Not yet installed at a facility", "", "", "", "")
MAX_SELECTION = 2000


def issue_labels_bulk(db: Session, actor: Actor, device_ids: list[uuid.UUID]) -> int:
    """Sign and draw a first label for each new device. Returns how many."""
    rows = []
    for device_id in device_ids:
        qr_id = uuid.uuid4()
        payload, key_id = sign_label(qr_id, device_id)
        rows.append(
            {
                "id": qr_id,
                "tenant_id": actor.tenant_id,
                "device_id": device_id,
                "key_id": key_id,
                "payload": payload,
                "matrix": pack_matrix(qr_matrix(payload)),
                "status": "active",
            }
        )
    for start in range(0, len(rows), 1000):
        db.execute(insert(QrCode), rows[start : start + 1000])
    return len(rows)


def _groups(db: Session, device_ids: list[uuid.UUID]) -> list[KitGroup]:
    stmt = (
        select(Equipment, QrCode, Sku)
        .join(QrCode, (QrCode.device_id == Equipment.id) & (QrCode.status == "active"))
        .join(Sku, Sku.id == Equipment.sku_id)
        .where(Equipment.id.in_(device_ids))
        .order_by(Equipment.facility_id, Equipment.serial_number)
    )
    rows: dict[uuid.UUID | None, list] = defaultdict(list)
    for device, label, sku in db.exec(stmt):
        rows[device.facility_id].append((device, label, sku))
    facilities = {
        f.id: FacilityInfo(f.name, f.address, f.pincode, p.city, p.state)
        for f, p in db.exec(
            select(HealthcareFacility, IndianPincode)
            .join(IndianPincode, IndianPincode.pincode == HealthcareFacility.pincode)
            .where(HealthcareFacility.id.in_([k for k in rows if k]))
        )
    }
    groups = []
    for facility_id, items in rows.items():
        info = facilities.get(facility_id, UNASSIGNED)
        site = "" if info is UNASSIGNED else info.name
        groups.append(
            KitGroup(
                info,
                [
                    Label(
                        payload=label.payload,
                        serial=device.serial_number,
                        model=sku.name,
                        facility_name=site,
                        short_code=short_code(label.id.bytes),
                        matrix=unpack_matrix(label.matrix) if label.matrix else None,
                    )
                    for device, label, sku in items
                ],
            )
        )
    return groups


def _mark_printed(db: Session, device_ids: list[uuid.UUID]) -> None:
    for start in range(0, len(device_ids), 5000):
        db.execute(
            update(Equipment)
            .where(
                Equipment.id.in_(device_ids[start : start + 5000]),
                Equipment.lifecycle_status == "registered",
            )
            .values(lifecycle_status="qr_printed", qr_printed_at=utcnow())
        )


def build_batch_kit(db: Session, actor: Actor, batch_id: uuid.UUID, progress=None) -> QrKit:
    """The kit of every label a batch registered, kept for download."""
    device_ids = list(
        db.exec(
            select(ManufacturerDeviceFeed.device_id).where(
                ManufacturerDeviceFeed.import_batch_id == batch_id,
                ManufacturerDeviceFeed.device_id.is_not(None),
            )
        )
    )
    pdf = build_kit(_groups(db, device_ids), "QR deployment kit", progress)
    kit = QrKit(tenant_id=actor.tenant_id, batch_id=batch_id, label_count=len(device_ids), pdf=pdf)
    db.add(kit)
    db.flush()
    db.execute(
        text("UPDATE device_registration_batch SET kit_id = :k WHERE id = :b"),
        {"k": kit.id, "b": batch_id},
    )
    _mark_printed(db, device_ids)
    audit.record(
        db,
        actor,
        "qr.kit",
        "device_registration_batch",
        batch_id,
        f"kit of {len(device_ids):,} labels generated",
    )
    return kit


def selection_kit(db: Session, actor: Actor, device_ids: list[uuid.UUID]) -> bytes:
    """A kit for devices picked by hand (at most MAX_SELECTION).

    Raises Forbidden (role), Invalid (none or too many) or NotFound (none visible)."""
    actor.require(*REGISTRARS)
    if not device_ids:
        raise Invalid("deviceIds", "pick at least one device")
    if len(device_ids) > MAX_SELECTION:
        raise Invalid("deviceIds", f"at most {MAX_SELECTION:,} devices per kit")
    groups = _groups(db, device_ids)
    if not groups:
        raise NotFound("None of those devices has a label you can print")
    _mark_printed(db, device_ids)
    audit.record(db, actor, "qr.kit", "equipment", "", f"kit of {len(device_ids):,} labels")
    return build_kit(groups, "QR deployment kit")


def kit_pdf(db: Session, batch_id: uuid.UUID) -> bytes:
    kit = db.exec(
        select(QrKit).where(QrKit.batch_id == batch_id).order_by(QrKit.created_at.desc())
    ).first()
    if kit is None or kit.pdf is None:
        raise NotFound("The kit for this batch is not ready yet")
    return kit.pdf
