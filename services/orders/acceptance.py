"""The paperwork of fulfilment, kept on the order: the seller's shipment (transporter and
docket number), the buyer's goods-received note at delivery (date, condition, damage
notes, photos) and the installation report at sign-off (checks done, training given, the
names and signatures of both sides). A ₹6 Cr MRI is not accepted with one click.

Each `check_*` function turns what a person typed into the record stored on the order, or
raises Invalid naming the field to fix. Photos go through the uploads service (size
limit, content checked) and are kept as order attachments.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from services.actor import Actor
from services.common.clock import IST, today_ist
from services.errors import Forbidden, Invalid
from services.geo.models import HealthcareFacility, IndianPincode
from services.orders.models import OrderAttachment, SalesOrder
from services.uploads import PHOTO_BYTES, SizeLimit, photo_type

CONDITIONS = {
    "good": "Received in good condition",
    "damaged": "Received with damage",
    "incomplete": "Received incomplete (items short)",
}
CHECKS = {
    "site": "Site ready (space, floor load, air conditioning)",
    "power": "Power, earthing and UPS checked",
    "inspection": "Unpacked and inspected, accessories complete",
    "functional": "Functional test passed",
    "safety": "Electrical safety test passed",
    "calibration": "Calibrated or phantom-tested",
}
REQUIRED_CHECKS = ("functional", "safety")
MAX_PHOTOS = 8
_DOCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9 /\-.]{2,39}")


def _text(record: dict, key: str, field: str, low: int, high: int, reason: str) -> str:
    value = " ".join(str(record.get(key) or "").split())
    if not low <= len(value) <= high:
        raise Invalid(field, reason)
    return value


def _day(record: dict, key: str, field: str, earliest: date | None, what: str) -> date:
    raw = record.get(key)
    try:
        day = raw if isinstance(raw, date) else date.fromisoformat(str(raw or ""))
    except ValueError as exc:
        raise Invalid(field, f"give the date {what} (YYYY-MM-DD)") from exc
    if day > today_ist():
        raise Invalid(field, f"cannot be in the future: the date {what}")
    if earliest and day < earliest:
        raise Invalid(field, f"cannot be before {earliest:%d %b %Y}")
    return day


def _ist_day(stamp) -> date | None:
    return stamp.astimezone(IST).date() if stamp else None


def check_shipment(record: Any) -> dict[str, Any]:
    """The seller's dispatch record: transporter and docket (LR/AWB) number.
    Raises Invalid("shipment.transporter" / "shipment.docketNumber")."""
    record = record if isinstance(record, dict) else {}
    transporter = _text(
        record,
        "transporter",
        "shipment.transporter",
        2,
        120,
        "name the transporter (2-120 characters)",
    )
    docket = " ".join(str(record.get("docketNumber") or "").split())
    if not _DOCKET.fullmatch(docket):
        raise Invalid(
            "shipment.docketNumber",
            "give the docket (LR/AWB) number: 3-40 letters, digits, spaces, / - or .",
        )
    return {
        "transporter": transporter,
        "docketNumber": docket,
        "shippedOn": today_ist().isoformat(),
    }


def check_goods_receipt(order: SalesOrder, record: Any, photo_ids: list[str]) -> dict[str, Any]:
    """The goods-received note. Damage or missing items need notes of at least 10
    characters and a photo. Raises Invalid naming the field (goodsReceipt.*)."""
    record = record if isinstance(record, dict) else {}
    received = _day(
        record,
        "receivedOn",
        "goodsReceipt.receivedOn",
        _ist_day(order.shipped_at),
        "the goods arrived",
    )
    condition = str(record.get("condition") or "")
    if condition not in CONDITIONS:
        raise Invalid("goodsReceipt.condition", f"must be one of {', '.join(CONDITIONS)}")
    notes = " ".join(str(record.get("damageNotes") or "").split())[:2000]
    if condition != "good" and len(notes) < 10:
        raise Invalid(
            "goodsReceipt.damageNotes",
            "describe the damage or what is missing (at least 10 characters)",
        )
    if condition != "good" and not photo_ids:
        raise Invalid("goodsReceipt.photos", "add a photo of the damage or of what arrived")
    received_by = _text(
        record, "receivedBy", "goodsReceipt.receivedBy", 2, 120, "name who received the goods"
    )
    return {
        "number": f"GRN-{order.number}",
        "receivedOn": received.isoformat(),
        "condition": condition,
        "damageNotes": notes,
        "receivedBy": received_by,
        "photoIds": photo_ids,
    }


def check_installation_report(
    order: SalesOrder, record: Any, photo_ids: list[str]
) -> dict[str, Any]:
    """The installation report signed by both sides. The functional and electrical safety
    checks are required; training given is described; each side gives a name and a
    signature (typed, or drawn as an image data URL). Raises Invalid (installationReport.*)."""
    record = record if isinstance(record, dict) else {}
    received = (
        date.fromisoformat(order.goods_receipt["receivedOn"]) if order.goods_receipt else None
    )
    installed = _day(
        record, "installedOn", "installationReport.installedOn", received, "of installation"
    )
    checks = record.get("checks") or []
    if not isinstance(checks, list) or any(c not in CHECKS for c in checks):
        raise Invalid("installationReport.checks", f"pick from {', '.join(CHECKS)}")
    for needed in REQUIRED_CHECKS:
        if needed not in checks:
            raise Invalid("installationReport.checks", f"confirm: {CHECKS[needed]}")
    training = _text(
        record,
        "training",
        "installationReport.training",
        5,
        1000,
        "say what training was given, and to whom (at least 5 characters)",
    )
    sides = {}
    for side, who in (("engineer", "the OEM's engineer"), ("buyer", "your representative")):
        name = _text(record, f"{side}Name", f"installationReport.{side}Name", 2, 120, f"name {who}")
        signature = str(record.get(f"{side}Signature") or "").strip()
        drawn = signature.startswith("data:image/png;base64,")
        if drawn and len(signature) > 200_000:
            raise Invalid(f"installationReport.{side}Signature", "the drawn signature is too large")
        if not drawn and len(" ".join(signature.split())) < 2:
            raise Invalid(
                f"installationReport.{side}Signature", f"{who} signs: type or draw a signature"
            )
        sides[side] = {
            "name": name,
            "signature": signature if drawn else " ".join(signature.split()),
        }
    return {
        "installedOn": installed.isoformat(),
        "checks": [c for c in CHECKS if c in checks],
        "training": training,
        "engineer": sides["engineer"],
        "buyer": sides["buyer"],
        "notes": " ".join(str(record.get("notes") or "").split())[:2000],
        "photoIds": photo_ids,
    }


def attach_photo(
    db: Session, actor: Actor, order: SalesOrder, kind: str, file_name: str, data: bytes
) -> OrderAttachment:
    """Keep a delivery or installation photo on the order (the buyer's). Raises Forbidden
    (not the buyer), Invalid("kind" / "photo") or TooLarge (over 8 MB)."""
    if actor.tenant_id != order.tenant_id:
        raise Forbidden("the buyer keeps the delivery and installation photos")
    if kind not in ("delivery", "installation"):
        raise Invalid("kind", "must be delivery or installation")
    SizeLimit(PHOTO_BYTES, "photo").take(data)
    photo = OrderAttachment(
        tenant_id=order.tenant_id,
        seller_tenant_id=order.seller_tenant_id,
        order_id=order.id,
        kind=kind,
        file_name=(file_name or "photo")[:200],
        content_type=photo_type(data),
        data=data,
        created_by=actor.user_id,
    )
    db.add(photo)
    db.flush()
    return photo


def check_photo_ids(db: Session, order: SalesOrder, kind: str, ids: Any, field: str) -> list[str]:
    """The ids of photos already kept on this order for `kind`. Raises Invalid(field)."""
    if ids in (None, []):
        return []
    if not isinstance(ids, list) or len(ids) > MAX_PHOTOS:
        raise Invalid(field, f"give at most {MAX_PHOTOS} photo ids")
    try:
        wanted = {uuid.UUID(str(i)) for i in ids}
    except ValueError as exc:
        raise Invalid(field, "is not a list of photo ids") from exc
    kept = set(
        db.exec(
            select(OrderAttachment.id).where(
                OrderAttachment.order_id == order.id,
                OrderAttachment.kind == kind,
                OrderAttachment.id.in_(wanted),
            )
        )
    )
    if kept != wanted:
        raise Invalid(field, f"upload the {kind} photos to this order first")
    return [str(i) for i in sorted(kept)]


def photos(db: Session, order_id: uuid.UUID) -> list[dict[str, str]]:
    """The photos kept on an order, oldest first (no content)."""
    rows = db.exec(
        select(OrderAttachment.id, OrderAttachment.kind, OrderAttachment.file_name)
        .where(OrderAttachment.order_id == order_id)
        .order_by(OrderAttachment.created_at)
    )
    return [{"photoId": str(i), "kind": k, "fileName": n} for i, k, n in rows]


def lead_time(po_terms: dict[str, Any], issued_on: date) -> dict[str, Any]:
    """The PO's lead time against the buyer's required-by date: when the goods are due by
    the lead time, and by how many days that misses the required-by date (0 if it does not)."""
    days = po_terms.get("leadTimeDays")
    required = po_terms.get("requiredBy")
    due = issued_on + timedelta(days=int(days)) if isinstance(days, int) else None
    required_by = date.fromisoformat(required) if required else None
    late = (due - required_by).days if due and required_by and due > required_by else 0
    return {
        "leadTimeDays": days,
        "requiredBy": required_by.isoformat() if required_by else None,
        "dueBy": due.isoformat() if due else None,
        "daysLate": late,
    }


def ship_to(db: Session, facility_id: uuid.UUID | None) -> dict[str, str] | None:
    """The delivery site as the seller's order card shows it: name, address, city, state
    and pincode (the seller reads its orders' sites through row-level security)."""
    if facility_id is None:
        return None
    row = db.exec(
        select(HealthcareFacility, IndianPincode)
        .outerjoin(IndianPincode, IndianPincode.pincode == HealthcareFacility.pincode)
        .where(HealthcareFacility.id == facility_id)
    ).first()
    if row is None:
        return None
    facility, pin = row
    return {
        "name": facility.name,
        "address": facility.address,
        "city": pin.city if pin else "",
        "state": pin.state if pin else "",
        "pincode": facility.pincode,
    }


def device_acceptance(db: Session, device: Any) -> dict[str, Any] | None:
    """The goods-received note and installation report of the order that installed
    `device` (found by its contract), or None for a device registered another way."""
    if device.contract_id is None:
        return None
    order = db.exec(
        select(SalesOrder).where(
            SalesOrder.contract_id == device.contract_id, SalesOrder.status == "installed"
        )
    ).first()
    if order is None or not any(
        device.serial_number in line.get("serials", []) for line in order.lines
    ):
        return None
    return {
        "orderId": str(order.id),
        "order": order.label,
        "goodsReceipt": order.goods_receipt or None,
        "installationReport": order.installation_report or None,
        "photos": photos(db, order.id),
    }
