"""Creating RFQs, sending them to OEMs, cancelling them, and reading them.

A buyer drafts an RFQ (SKUs by id or code, quantities, delivery pincode, required-by
date, terms, expiry) and opens it to chosen OEMs or to every OEM selling its SKUs.
Opening grants each recipient read access to the RFQ (access_grant), so PostgreSQL
itself decides who sees it; the caller schedules the expiry timer after the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.catalog.models import Sku
from services.columns import utcnow
from services.common.clock import today_ist
from services.common.roles import BUYERS
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.geo.models import HealthcareFacility, IndianPincode
from services.rfq.machine import check_rfq_transition
from services.rfq.models import Rfq, RfqItem, RfqRecipient
from services.tenancy.service import directory, grant_access

BUYER_KINDS = (TenantKind.HOSPITAL_CHAIN, TenantKind.LAB_CHAIN)
MAX_ITEMS = 100


@dataclass
class RfqLine:
    sku: str  # a SKU id or code
    qty: int


@dataclass
class NewRfq:
    """What a buyer asks for. `oem_ids` None sends it to every OEM of its SKUs."""

    items: list[RfqLine]
    expires_at: datetime
    title: str = ""
    delivery_pincode: str | None = None
    required_by: date | None = None
    terms: str = ""
    oem_ids: list[uuid.UUID] | None = None
    facility_id: uuid.UUID | None = None
    buyer_id: uuid.UUID | None = None
    publish: bool = True


def _require_buyer(actor: Actor) -> None:
    actor.require(*BUYERS)
    if actor.tenant_kind not in BUYER_KINDS:
        raise Forbidden("Only hospitals and laboratories raise RFQs")


def _resolve_sku(db: Session, ref: str, where: str) -> Sku:
    ref = (ref or "").strip()
    if not ref:
        raise Invalid(where, "name a SKU by its id or code")
    try:
        sku = db.get(Sku, uuid.UUID(ref))
        matches = [sku] if sku else []
    except ValueError:
        matches = list(db.exec(select(Sku).where(func.upper(Sku.code) == ref.upper()).limit(2)))
    matches = [s for s in matches if s.is_active]
    if not matches:
        raise Invalid(where, f"no active SKU {ref!r} in the catalog")
    if len(matches) > 1:
        raise Invalid(where, f"code {ref!r} is sold by several OEMs; give the SKU id")
    return matches[0]


def _check_lines(db: Session, lines: list[RfqLine]) -> list[tuple[Sku, int]]:
    if not lines:
        raise Invalid("items", "add at least one SKU with a quantity")
    if len(lines) > MAX_ITEMS:
        raise Invalid("items", f"at most {MAX_ITEMS} lines per RFQ")
    resolved, seen = [], set()
    for i, line in enumerate(lines):
        if not isinstance(line.qty, int) or line.qty < 1:
            raise Invalid(f"items.{i}.qty", "must be a whole number of 1 or more")
        sku = _resolve_sku(db, line.sku, f"items.{i}.sku")
        if sku.id in seen:
            raise Invalid(f"items.{i}.sku", f"{sku.code} is listed twice; add the quantities")
        seen.add(sku.id)
        resolved.append((sku, line.qty))
    return resolved


def _check_terms(db: Session, actor: Actor, cmd: NewRfq) -> None:
    if cmd.expires_at is None or cmd.expires_at.tzinfo is None:
        raise Invalid(
            "expiresAt", "give a date and time with its zone, e.g. 2026-12-01T18:00:00+05:30"
        )
    if cmd.expires_at <= utcnow():
        raise Invalid("expiresAt", "must be in the future")
    if cmd.delivery_pincode is not None:
        if db.get(IndianPincode, cmd.delivery_pincode.strip()) is None:
            raise Invalid("deliveryPincode", "is not a known Indian pincode")
    if cmd.required_by is not None and cmd.required_by < today_ist():
        raise Invalid("requiredBy", "must be today or later")
    if len(cmd.title) > 200:
        raise Invalid("title", "at most 200 characters")
    if len(cmd.terms) > 10_000:
        raise Invalid("terms", "at most 10,000 characters")
    if cmd.facility_id is not None:
        facility = db.get(HealthcareFacility, cmd.facility_id)
        if facility is None or facility.tenant_id != actor.tenant_id:
            raise Invalid("facilityId", "is not one of your facilities")


def _check_oems(db: Session, oem_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if not oem_ids:
        raise Invalid(
            "oemIds", "choose at least one OEM, or leave it out to ask every OEM of these SKUs"
        )
    orgs = directory(db)
    for oem_id in oem_ids:
        if orgs.get(oem_id, ("", ""))[1] != TenantKind.OEM.value:
            raise Invalid("oemIds", f"{oem_id} is not an OEM on the platform")
    return list(dict.fromkeys(oem_ids))


def create_rfq(db: Session, actor: Actor, cmd: NewRfq) -> Rfq:
    """Draft an RFQ and, unless `cmd.publish` is False, open it to its OEMs.

    Emits RFQCreated (and RFQOpened when opened). Raises Forbidden (not a buyer),
    Invalid naming the field (buyerId, items.N.sku, items.N.qty, expiresAt,
    deliveryPincode, requiredBy, oemIds, facilityId)."""
    _require_buyer(actor)
    if cmd.buyer_id is not None and cmd.buyer_id != actor.tenant_id:
        raise Invalid("buyerId", "must be your own organisation")
    lines = _check_lines(db, cmd.items)
    _check_terms(db, actor, cmd)
    oems = _check_oems(db, cmd.oem_ids) if cmd.oem_ids is not None else None
    title = cmd.title.strip() or _default_title(lines)
    rfq = Rfq(
        tenant_id=actor.tenant_id,
        created_by=actor.user_id,
        title=title,
        status="draft",
        delivery_pincode=(cmd.delivery_pincode or "").strip() or None,
        buyer_facility_id=cmd.facility_id,
        required_by=cmd.required_by,
        terms=cmd.terms.strip(),
        sent_to_all=oems is None,
        expires_at=cmd.expires_at,
    )
    db.add(rfq)
    db.flush()
    db.refresh(rfq)
    db.add_all(
        [
            RfqItem(tenant_id=actor.tenant_id, rfq_id=rfq.id, sku_id=sku.id, qty=qty)
            for sku, qty in lines
        ]
    )
    recipients = oems if oems is not None else sorted({sku.tenant_id for sku, _ in lines})
    db.add_all(
        [
            RfqRecipient(rfq_id=rfq.id, buyer_tenant_id=actor.tenant_id, oem_tenant_id=o)
            for o in recipients
            if o != actor.tenant_id
        ]
    )
    db.flush()
    audit.record(
        db, actor, "rfq.create", "rfq", rfq.id, f"{rfq.label} drafted with {len(lines)} line(s)"
    )
    emit(
        db,
        actor,
        "RFQCreated",
        "rfq",
        rfq.id,
        {
            "number": rfq.number,
            "items": len(lines),
            "sentToAll": rfq.sent_to_all,
            "expiresAt": rfq.expires_at.isoformat(),
        },
    )
    if cmd.publish:
        open_rfq(db, actor, rfq.id)
    return rfq


def _default_title(lines: list[tuple[Sku, int]]) -> str:
    first = lines[0][0].name
    more = f" and {len(lines) - 1} more" if len(lines) > 1 else ""
    return f"RFQ for {first}{more}"[:200]


def _own_rfq(db: Session, actor: Actor, rfq_id: uuid.UUID, lock: bool = False) -> Rfq:
    stmt = select(Rfq).where(Rfq.id == rfq_id, Rfq.tenant_id == actor.tenant_id)
    rfq = db.exec(stmt.with_for_update() if lock else stmt).first()
    if rfq is None:
        raise NotFound("No such RFQ among yours")
    return rfq


def _move(db: Session, actor: Actor, rfq: Rfq, new: str, note: str = "") -> None:
    old = rfq.status
    check_rfq_transition(old, new)
    rfq.status, rfq.updated_at = new, utcnow()
    db.add(rfq)
    db.flush()
    audit.record(db, actor, f"rfq.{new}", "rfq", rfq.id, f"{rfq.label}: {old} -> {new}. {note}")
    emit(db, actor, "RFQStatusChanged", "rfq", rfq.id, {"from": old, "to": new})


def open_rfq(db: Session, actor: Actor, rfq_id: uuid.UUID) -> Rfq:
    """Send a draft RFQ to its OEMs: grants each one read access and emits RFQOpened.

    The caller schedules the expiry timer at `expires_at` once this commits. Raises
    NotFound, Conflict (not a draft, or it has no OEM to go to) or Invalid (expiresAt
    already passed)."""
    _require_buyer(actor)
    rfq = _own_rfq(db, actor, rfq_id, lock=True)
    check_rfq_transition(rfq.status, "open")
    if rfq.expires_at is None or rfq.expires_at <= utcnow():
        raise Invalid("expiresAt", "has passed; set a later expiry before opening")
    recipients = list(db.exec(select(RfqRecipient).where(RfqRecipient.rfq_id == rfq.id)))
    if not recipients:
        raise Conflict(f"{rfq.label} has no OEM to go to; choose at least one")
    now = utcnow()
    for recipient in recipients:
        grant_access(db, actor, recipient.oem_tenant_id, "rfq", rfq.id)
        recipient.invited_at = now
        db.add(recipient)
    rfq.opened_at = now
    _move(db, actor, rfq, "open", f"sent to {len(recipients)} OEM(s)")
    emit(
        db,
        actor,
        "RFQOpened",
        "rfq",
        rfq.id,
        {
            "number": rfq.number,
            "oems": [str(r.oem_tenant_id) for r in recipients],
            "expiresAt": rfq.expires_at.isoformat(),
        },
    )
    return rfq


def cancel_rfq(db: Session, actor: Actor, rfq_id: uuid.UUID, reason: str = "") -> Rfq:
    """Cancel a draft, open or negotiating RFQ; its submitted quotes are left as they are
    for the record. Raises NotFound, Conflict (naming what is allowed) or Invalid."""
    _require_buyer(actor)
    if len(reason) > 1000:
        raise Invalid("reason", "at most 1,000 characters")
    rfq = _own_rfq(db, actor, rfq_id, lock=True)
    _move(db, actor, rfq, "cancelled", reason.strip())
    return rfq


def visible_rfq(db: Session, actor: Actor, rfq_id: uuid.UUID) -> Rfq:
    """The RFQ if the actor's organisation may see it (its own, or sent to it)."""
    rfq = db.get(Rfq, rfq_id)
    if rfq is None:
        raise NotFound("No such RFQ, or it was not sent to you")
    return rfq


def rfq_items(db: Session, rfq_id: uuid.UUID) -> list[dict[str, Any]]:
    """The lines of an RFQ with their SKU's code, name, OEM and GST rate."""
    rows = db.exec(
        select(RfqItem, Sku)
        .join(Sku, Sku.id == RfqItem.sku_id)
        .where(RfqItem.rfq_id == rfq_id)
        .order_by(Sku.code)
    )
    return [
        {
            "itemId": str(item.id),
            "skuId": str(sku.id),
            "skuCode": sku.code,
            "skuName": sku.name,
            "oemId": str(sku.tenant_id),
            "qty": item.qty,
            "gstRate": str(sku.gst_rate),
            "listPricePaise": sku.list_price_paise,
        }
        for item, sku in rows
    ]


def rfq_json(rfq: Rfq, names: dict) -> dict[str, Any]:
    return {
        "rfqId": str(rfq.id),
        "number": rfq.label,
        "title": rfq.title,
        "status": rfq.status,
        "buyerId": str(rfq.tenant_id),
        "buyerName": names.get(rfq.tenant_id, ("", ""))[0],
        "deliveryPincode": rfq.delivery_pincode,
        "terms": rfq.terms,
        "requiredBy": rfq.required_by.isoformat() if rfq.required_by else None,
        "expiresAt": rfq.expires_at.isoformat() if rfq.expires_at else None,
        "sentToAll": rfq.sent_to_all,
        "createdAt": rfq.created_at.isoformat(),
        "updatedAt": rfq.updated_at.isoformat(),
        "facilityId": str(rfq.buyer_facility_id) if rfq.buyer_facility_id else None,
    }


def get_rfq(db: Session, actor: Actor, rfq_id: uuid.UUID) -> dict[str, Any]:
    """An RFQ with its lines; the buyer also gets its recipients. An invited OEM reading
    it marks its invitation seen. Raises NotFound when the actor may not see it."""
    rfq = visible_rfq(db, actor, rfq_id)
    names = directory(db)
    out = rfq_json(rfq, names) | {"items": rfq_items(db, rfq.id)}
    if rfq.tenant_id == actor.tenant_id:
        recipients = db.exec(select(RfqRecipient).where(RfqRecipient.rfq_id == rfq.id))
        out["recipients"] = [
            {
                "oemId": str(r.oem_tenant_id),
                "oemName": names.get(r.oem_tenant_id, ("", ""))[0],
                "seenAt": r.seen_at.isoformat() if r.seen_at else None,
            }
            for r in recipients
        ]
    else:
        db.execute(text("SELECT rfq_mark_seen(:r)"), {"r": rfq.id})
    return out


def list_rfqs(
    db: Session, actor: Actor, status: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Newest first: a buyer's own RFQs, or for an OEM the RFQs sent to it."""
    stmt = select(Rfq)
    if actor.tenant_kind == TenantKind.OEM:
        stmt = stmt.join(RfqRecipient, RfqRecipient.rfq_id == Rfq.id).where(
            RfqRecipient.oem_tenant_id == actor.tenant_id
        )
    else:
        stmt = stmt.where(Rfq.tenant_id == actor.tenant_id)
    if status:
        stmt = stmt.where(Rfq.status == status)
    rows = list(db.exec(stmt.order_by(Rfq.created_at.desc()).offset(offset).limit(limit)))
    names = directory(db)
    return [rfq_json(r, names) for r in rows]


def find_skus(db: Session, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Active SKUs whose code or name contains `q`, for the RFQ form's SKU picker."""
    pattern = "%" + q.strip().replace("\\", "").replace("%", "").replace("_", "") + "%"
    rows = db.exec(
        select(Sku)
        .where(Sku.is_active, (Sku.code.ilike(pattern)) | (Sku.name.ilike(pattern)))
        .order_by(Sku.name)
        .limit(limit)
    )
    names = directory(db)
    return [
        {
            "skuId": str(s.id),
            "code": s.code,
            "name": s.name,
            "oemId": str(s.tenant_id),
            "oemName": names.get(s.tenant_id, ("", ""))[0],
            "category": s.category,
            "listPricePaise": s.list_price_paise,
        }
        for s in rows
    ]
