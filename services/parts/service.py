"""Reserving spare parts at a hub for a ticket, and what a job is expected to need."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.common.roles import SERVICE_TEAM
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.parts.models import FaultPart, Part, PartReservation, PartStock, SkuPart


def reserve_parts(
    db: Session, actor: Actor, ticket_id: uuid.UUID, part_code: str, area_id: uuid.UUID, qty: int
) -> PartReservation:
    """Hold `qty` of a part at a hub of the actor's organisation for a ticket it serves.
    Raises Forbidden, NotFound (ticket, part or no stock line at that hub), Invalid
    (quantity) or Conflict when fewer are free than asked, saying how many are."""
    if not actor.roles & SERVICE_TEAM:
        raise Forbidden("only dispatchers, service managers and technicians reserve parts")
    if not isinstance(qty, int) or not 1 <= qty <= 1000:
        raise Invalid("qty", "must be a whole number from 1 to 1000")
    ticket = db.execute(
        text("SELECT id, number FROM ticket WHERE id = :t AND service_partner_tenant_id = :me"),
        {"t": ticket_id, "me": actor.tenant_id},
    ).first()
    if ticket is None:
        raise NotFound(f"No ticket {ticket_id} that your organisation services")
    part = db.exec(
        select(Part).where(
            Part.tenant_id == actor.tenant_id, Part.code == (part_code or "").strip()
        )
    ).first()
    if part is None:
        raise NotFound(f"No part {part_code!r} in your catalogue")
    # The row lock serialises reservations of one part at one hub.
    stock = db.exec(
        select(PartStock)
        .where(PartStock.area_id == area_id, PartStock.part_id == part.id)
        .with_for_update()
    ).first()
    if stock is None:
        raise NotFound(f"The hub holds no {part.code}")
    free = stock.on_hand - stock.reserved
    if free < qty:
        raise Conflict(
            f"Only {free} of {part.code} free at this hub ({stock.on_hand} on hand, "
            f"{stock.reserved} reserved); asked for {qty}"
        )
    stock.reserved += qty
    db.add(stock)
    reservation = PartReservation(
        tenant_id=actor.tenant_id, ticket_id=ticket.id, part_id=part.id, area_id=area_id, qty=qty
    )
    db.add(reservation)
    db.flush()
    audit.record(
        db,
        actor,
        "part.reserve",
        "ticket",
        ticket.id,
        f"{qty} × {part.code} held for #{ticket.number}",
    )
    emit(
        db,
        actor,
        "PartReserved",
        "ticket",
        ticket.id,
        {
            "partCode": part.code,
            "qty": qty,
            "areaId": str(area_id),
            "reservationId": str(reservation.id),
            "freeAfter": free - qty,
        },
    )
    return reservation


def expected_parts(db: Session, sku_id: uuid.UUID, error_code: str | None) -> list[dict[str, Any]]:
    """Parts a job on this SKU with this fault code is expected to need."""
    rows = db.exec(
        select(FaultPart, Part)
        .join(Part, Part.id == FaultPart.part_id)
        .where(FaultPart.sku_id == sku_id, FaultPart.error_code == (error_code or ""))
    ).all()
    return [{"partId": str(p.id), "code": p.code, "name": p.name, "qty": f.qty} for f, p in rows]


def bill_of_materials(db: Session, sku_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = db.exec(
        select(SkuPart, Part)
        .join(Part, Part.id == SkuPart.part_id)
        .where(SkuPart.sku_id == sku_id)
        .order_by(Part.code)
    ).all()
    return [{"code": p.code, "name": p.name, "qty": s.qty} for s, p in rows]


def stock_at(db: Session, area_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = db.exec(
        select(PartStock, Part)
        .join(Part, Part.id == PartStock.part_id)
        .where(PartStock.area_id == area_id)
        .order_by(Part.code)
    ).all()
    return [
        {
            "code": p.code,
            "name": p.name,
            "onHand": s.on_hand,
            "reserved": s.reserved,
            "free": s.on_hand - s.reserved,
        }
        for s, p in rows
    ]


def _stock_line(db: Session, held: PartReservation) -> PartStock:
    # The row lock serialises stock changes of one part at one hub.
    return db.exec(
        select(PartStock)
        .where(PartStock.area_id == held.area_id, PartStock.part_id == held.part_id)
        .with_for_update()
    ).one()


def consume_reserved(
    db: Session, actor: Actor, ticket_id: uuid.UUID, part_id: uuid.UUID, qty: int
) -> PartReservation:
    """Take `qty` of a part used on a job out of stock, from what was reserved for the
    ticket: the hub's on-hand and reserved counts both fall. Part of a reservation left
    unused stays reserved (released when the job is resolved). Raises Forbidden, Invalid
    (quantity) or NotFound / Conflict when fewer are reserved for the job than used."""
    if not actor.roles & SERVICE_TEAM:
        raise Forbidden("only dispatchers, service managers and technicians use parts")
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 1000:
        raise Invalid("quantity", "must be a whole number from 1 to 1000")
    held = list(
        db.exec(
            select(PartReservation)
            .where(
                PartReservation.ticket_id == ticket_id,
                PartReservation.part_id == part_id,
                PartReservation.status == "reserved",
            )
            .order_by(PartReservation.created_at)
            .with_for_update()
        )
    )
    if not held:
        raise NotFound("No such part is reserved for this job; ask the dispatcher for it")
    if sum(r.qty for r in held) < qty:
        raise Conflict(f"Only {sum(r.qty for r in held)} reserved for this job; {qty} used")
    left, used = qty, None
    for reservation in held:
        take = min(left, reservation.qty)
        stock = _stock_line(db, reservation)
        stock.on_hand, stock.reserved = stock.on_hand - take, stock.reserved - take
        db.add(stock)
        if take < reservation.qty:  # the rest stays held, as a reservation of its own
            db.add(
                PartReservation(
                    tenant_id=reservation.tenant_id,
                    ticket_id=ticket_id,
                    part_id=part_id,
                    area_id=reservation.area_id,
                    qty=reservation.qty - take,
                )
            )
        reservation.qty, reservation.status = take, "consumed"
        db.add(reservation)
        used, left = reservation, left - take
        if left == 0:
            break
    db.flush()
    audit.record(db, actor, "part.consume", "ticket", ticket_id, f"{qty} used on the job")
    return used


def release_reservations(db: Session, actor: Actor, ticket_id: uuid.UUID) -> int:
    """Give back to their hubs' free stock the parts still held for a ticket. Returns how
    many units were released. Raises Forbidden."""
    if not actor.roles & SERVICE_TEAM:
        raise Forbidden("only dispatchers, service managers and technicians release parts")
    released = 0
    held = db.exec(
        select(PartReservation)
        .where(PartReservation.ticket_id == ticket_id, PartReservation.status == "reserved")
        .with_for_update()
    )
    for reservation in held:
        stock = _stock_line(db, reservation)
        stock.reserved -= reservation.qty
        db.add(stock)
        reservation.status = "released"
        db.add(reservation)
        released += reservation.qty
    if released:
        audit.record(db, actor, "part.release", "ticket", ticket_id, f"{released} released")
    return released
