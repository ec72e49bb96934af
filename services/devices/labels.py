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
from services.devices.models import (
    Equipment,
    LabelPrintJob,
    ManufacturerDeviceFeed,
    QrCode,
    QrKit,
)
from services.errors import Conflict, Invalid, NotFound
from services.geo.models import HealthcareFacility, IndianPincode
from services.qr.codes import short_code
from services.qr.kit import PER_SHEET, FacilityInfo, KitGroup, Label, build_kit
from services.qr.links import label_matrix
from services.qr.signing import sign_label
from services.qr.symbols import pack_matrix, unpack_matrix

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
                "matrix": pack_matrix(label_matrix(payload)),
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
                        device_id=device.id,
                        payload=label.payload,
                        serial=device.serial_number,
                        model=sku.name,
                        facility_name=site,
                        short_code=short_code(label.id.bytes),
                        matrix=(
                            unpack_matrix(label.matrix)
                            if label.matrix
                            else label_matrix(label.payload)
                        ),
                    )
                    for device, label, sku in items
                ],
            )
        )
    return groups


def _mark_printed(db: Session, device_ids: list[uuid.UUID]) -> int:
    changed = 0
    for start in range(0, len(device_ids), 5000):
        changed += db.execute(
            update(Equipment)
            .where(
                Equipment.id.in_(device_ids[start : start + 5000]),
                Equipment.lifecycle_status == "registered",
            )
            .values(lifecycle_status="qr_printed", qr_printed_at=utcnow())
        ).rowcount
    return changed


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


def print_labels(
    db: Session,
    actor: Actor,
    device_ids: list[uuid.UUID],
    start_at: int = 1,
    cover: bool = False,
) -> tuple[LabelPrintJob, bytes]:
    """Labels for devices picked by hand (at most MAX_SELECTION), from label `start_at` of
    a part-used sheet, with the facilities' cover pages when `cover`. Printing changes no
    device: `confirm_print` marks them printed once the labels are stuck on.

    Raises Forbidden (role), Invalid (deviceIds: none or too many; startAt: not 1 to 21)
    or NotFound (none visible)."""
    actor.require(*REGISTRARS)
    if not device_ids:
        raise Invalid("deviceIds", "pick at least one device")
    if len(device_ids) > MAX_SELECTION:
        raise Invalid("deviceIds", f"at most {MAX_SELECTION:,} devices per kit")
    if isinstance(start_at, bool) or not isinstance(start_at, int) or not 1 <= start_at <= 21:
        raise Invalid("startAt", f"is the first free label on the sheet, 1 to {PER_SHEET}")
    groups = _groups(db, device_ids)
    if not groups:
        raise NotFound("None of those devices has a label you can print")
    printed = [str(label_device) for label_device in _printed_ids(groups, device_ids)]
    job = LabelPrintJob(
        tenant_id=actor.tenant_id,
        device_ids=printed,
        start_at=start_at,
        label_count=len(printed),
        created_by=actor.user_id,
    )
    db.add(job)
    db.flush()
    audit.record(
        db,
        actor,
        "qr.print",
        "label_print_job",
        job.id,
        f"{len(printed):,} label{'s' * (len(printed) != 1)} printed from label {start_at}",
    )
    return job, build_kit(groups, "QR labels", start_at=start_at, cover=cover)


def _printed_ids(groups: list[KitGroup], device_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """The devices of `device_ids` that got a label in `groups`, in the order asked."""
    printed = {label.device_id for group in groups for label in group.labels}
    return [d for d in dict.fromkeys(device_ids) if d in printed]


def confirm_print(db: Session, actor: Actor, job_id: uuid.UUID) -> int:
    """Say the labels of a print job are stuck on: its devices still `registered` become
    `qr_printed`. Returns how many changed. Raises Forbidden (role), NotFound (no such
    job of the actor's organisation) or Conflict (already confirmed)."""
    actor.require(*REGISTRARS)
    job = db.get(LabelPrintJob, job_id, with_for_update=True)
    if job is None:
        raise NotFound("No such label print job")
    if job.confirmed_at is not None:
        raise Conflict("These labels were already confirmed as stuck on")
    ids = [uuid.UUID(d) for d in job.device_ids]
    changed = _mark_printed(db, ids)
    job.confirmed_at, job.confirmed_by = utcnow(), actor.user_id
    db.add(job)
    for device_id in ids:
        audit.record(db, actor, "qr.labelled", "equipment", device_id, "label stuck on")
    return changed


def kit_pdf(db: Session, batch_id: uuid.UUID) -> bytes:
    kit = db.exec(
        select(QrKit).where(QrKit.batch_id == batch_id).order_by(QrKit.created_at.desc())
    ).first()
    if kit is None or kit.pdf is None:
        raise NotFound("The kit for this batch is not ready yet")
    return kit.pdf
