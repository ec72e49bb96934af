"""Moving parts stock: receipts, transfers between hubs, adjustments with a reason and what
a job consumed. Each movement locks the stock lines it changes, writes one ledger row per
line (`part_movement`, with the on-hand count it left), is audited, and then checks the
line against its reorder point (`stock_levels.check_low`).

Stock never goes negative: the service refuses with a Conflict saying what is there, and
the database refuses too (`part_stock` checks on_hand >= 0 and reserved <= on_hand).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.common.roles import SERVICE_TEAM, STOCK_KEEPERS
from services.errors import Conflict, Invalid, NotFound
from services.parts.models import Part, PartMovement, PartStock
from services.parts.service import consume_reserved, release_reservations
from services.parts.stock_levels import check_low, find_part, hub_name

MAX_QTY = 100_000
MAX_LINES = 200


@dataclass
class ReceiptLine:
    """One line of a delivery: a part, how many, and its batch or serial numbers."""

    part_code: str
    qty: int
    batch: str = ""
    serials: list[str] = field(default_factory=list)


def _qty(value: object, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_QTY:
        raise Invalid(name, f"must be a whole number from {low} to {MAX_QTY:,}")
    return value


def _line(db: Session, actor: Actor, hub_id: uuid.UUID, part: Part, create: bool) -> PartStock:
    """The stock line of a part at a hub, locked for this transaction; created empty for a
    receipt. Raises Conflict when the hub holds none of the part."""
    query = select(PartStock).where(PartStock.area_id == hub_id, PartStock.part_id == part.id)
    stock = db.exec(query.with_for_update()).first()
    if stock is None and create:
        db.execute(
            text(
                "INSERT INTO part_stock (tenant_id, area_id, part_id) VALUES (:t, :a, :p) "
                "ON CONFLICT (area_id, part_id) DO NOTHING"
            ),
            {"t": actor.tenant_id, "a": hub_id, "p": part.id},
        )
        stock = db.exec(query.with_for_update()).first()
    if stock is None:
        raise Conflict(f"The hub holds no {part.code}")
    return stock


def _ledger(
    db: Session,
    actor: Actor,
    kind: str,
    stock: PartStock,
    change: int,
    group_id: uuid.UUID,
    **extra,
) -> PartMovement:
    row = PartMovement(
        tenant_id=actor.tenant_id,
        kind=kind,
        part_id=stock.part_id,
        area_id=stock.area_id,
        qty_change=change,
        on_hand_after=stock.on_hand,
        group_id=group_id,
        actor_id=actor.user_id,
        actor_label=actor.label[:255],
        **extra,
    )
    db.add(row)
    return row


def _apply(
    db: Session,
    actor: Actor,
    kind: str,
    stock: PartStock,
    change: int,
    group_id: uuid.UUID,
    **extra,
) -> PartMovement:
    stock.on_hand += change
    db.add(stock)
    db.flush()  # the database checks the new count here: never below zero or what is reserved
    row = _ledger(db, actor, kind, stock, change, group_id, **extra)
    check_low(db, actor, stock)
    return row


def _clean_serials(line: ReceiptLine, n: int) -> list[str]:
    serials = [str(s).strip() for s in line.serials or [] if str(s).strip()]
    if serials and len(serials) != line.qty:
        raise Invalid(f"lines[{n}].serials", f"lists {len(serials)} serial numbers for {line.qty}")
    if len(set(serials)) != len(serials):
        raise Invalid(f"lines[{n}].serials", "lists a serial number twice")
    if any(len(s) > 60 for s in serials):
        raise Invalid(f"lines[{n}].serials", "a serial number is longer than 60 characters")
    return serials


def receive_stock(
    db: Session, actor: Actor, hub_id: uuid.UUID, lines: list[ReceiptLine], reference: str = ""
) -> uuid.UUID:
    """Book a delivery into a hub: each line's quantity is added to the hub's stock and
    recorded with its batch or serial numbers under one receipt id, which is returned.
    A line that lifts a part above its reorder point clears its low-stock alert.
    Raises Forbidden, Invalid (hub, lines, part code, quantity, serials, reference)."""
    actor.require(*STOCK_KEEPERS)
    hub = hub_name(db, actor, hub_id)
    if not lines or len(lines) > MAX_LINES:
        raise Invalid("lines", f"a receipt has 1 to {MAX_LINES} lines")
    reference = (reference or "").strip()
    if len(reference) > 120:
        raise Invalid("reference", "is at most 120 characters (the delivery note's number)")
    receipt = uuid.uuid4()
    for n, line in enumerate(lines):
        _qty(line.qty, f"lines[{n}].qty")
        part = find_part(db, actor, line.part_code, f"lines[{n}].partCode")
        batch = (line.batch or "").strip()
        if len(batch) > 60:
            raise Invalid(f"lines[{n}].batch", "is at most 60 characters")
        serials = _clean_serials(line, n)
        stock = _line(db, actor, hub_id, part, create=True)
        _apply(
            db,
            actor,
            "receipt",
            stock,
            line.qty,
            receipt,
            batch=batch,
            serials=serials,
            reference=reference,
        )
    total = sum(line.qty for line in lines)
    audit.record(
        db,
        actor,
        "part.receive",
        "service_area",
        hub_id,
        f"{total} units in {len(lines)} lines received at {hub} {reference}".strip(),
    )
    return receipt


def transfer_stock(
    db: Session,
    actor: Actor,
    from_hub: uuid.UUID,
    to_hub: uuid.UUID,
    part_code: str,
    qty: int,
    note: str = "",
) -> uuid.UUID:
    """Move `qty` of a part's free stock from one of the organisation's hubs to another;
    both sides are recorded under one transfer id, which is returned.
    Raises Forbidden, Invalid (hubs, part, quantity) or Conflict when fewer are free at the
    source than asked, saying how many are."""
    actor.require(*STOCK_KEEPERS)
    source = hub_name(db, actor, from_hub, "fromHubId")
    target = hub_name(db, actor, to_hub, "toHubId")
    if from_hub == to_hub:
        raise Invalid("toHubId", "must be another hub than the one the parts leave")
    _qty(qty, "qty")
    part = find_part(db, actor, part_code)
    # Lock both lines in one order (by hub id) so two opposite transfers cannot deadlock.
    lines = {}
    for hub in sorted((from_hub, to_hub), key=str):
        lines[hub] = _line(db, actor, hub, part, create=hub == to_hub)
    out = lines[from_hub]
    if out.on_hand - out.reserved < qty:
        raise Conflict(
            f"Only {out.on_hand - out.reserved} of {part.code} free at {source} "
            f"({out.on_hand} on hand, {out.reserved} reserved); asked to move {qty}"
        )
    transfer, note = uuid.uuid4(), (note or "").strip()[:500]
    _apply(db, actor, "transfer_out", out, -qty, transfer, reason=note, reference=target[:120])
    _apply(
        db, actor, "transfer_in", lines[to_hub], qty, transfer, reason=note, reference=source[:120]
    )
    audit.record(
        db,
        actor,
        "part.transfer",
        "part",
        part.id,
        f"{qty} × {part.code} moved from {source} to {target}",
    )
    return transfer


def adjust_stock(
    db: Session, actor: Actor, hub_id: uuid.UUID, part_code: str, change: int, reason: str
) -> PartMovement:
    """Correct a part's count at a hub by `change` (negative for damaged or missing units,
    positive for found ones), with the reason. Raises Forbidden, Invalid (hub, part,
    change, reason) or Conflict when the count would fall below zero or below what is
    reserved for jobs."""
    actor.require(*STOCK_KEEPERS)
    hub = hub_name(db, actor, hub_id)
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        raise Invalid("change", "must be a whole number other than zero")
    if abs(change) > MAX_QTY:
        raise Invalid("change", f"must be at most {MAX_QTY:,} either way")
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500:
        raise Invalid("reason", "say why the count changes (3 to 500 characters)")
    part = find_part(db, actor, part_code)
    stock = _line(db, actor, hub_id, part, create=change > 0)
    if stock.on_hand + change < stock.reserved:
        raise Conflict(
            f"{hub} has {stock.on_hand} of {part.code} ({stock.reserved} reserved for jobs); "
            f"it cannot go down by {-change}"
        )
    row = _apply(db, actor, "adjustment", stock, change, uuid.uuid4(), reason=reason)
    audit.record(
        db,
        actor,
        "part.adjust",
        "part",
        part.id,
        f"{part.code} at {hub} {change:+d}: {reason}"[:500],
    )
    return row


def _on_hand_by_hub(db: Session, part_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = db.execute(
        text("SELECT area_id, on_hand FROM part_stock WHERE part_id = :p"), {"p": part_id}
    ).all()
    return {r.area_id: r.on_hand for r in rows}


def _recheck_released(db: Session, actor: Actor, ticket_id: uuid.UUID) -> None:
    """Freed units may lift a line back above its reorder point."""
    freed = db.execute(
        text(
            "SELECT DISTINCT area_id, part_id FROM part_reservation "
            "WHERE ticket_id = :t AND status = 'released'"
        ),
        {"t": ticket_id},
    ).all()
    for area_id, part_id in freed:
        stock = db.exec(
            select(PartStock).where(PartStock.area_id == area_id, PartStock.part_id == part_id)
        ).one()
        check_low(db, actor, stock)


def consume_for_job(
    db: Session,
    actor: Actor,
    ticket_id: uuid.UUID,
    used: list[tuple[str, int]],
    release_rest: bool = True,
) -> dict[str, int]:
    """Record the parts a job used, as (part code, quantity) pairs, out of what was
    reserved for its ticket; with `release_rest` whatever stays reserved for the ticket
    goes back to free stock. Returns {"consumed": units, "released": units}.
    Raises Forbidden, Invalid (part code, quantity), NotFound or Conflict when fewer are
    reserved for the job than used."""
    actor.require(*SERVICE_TEAM)
    number = db.execute(
        text("SELECT number FROM ticket WHERE id = :t AND service_partner_tenant_id = :me"),
        {"t": ticket_id, "me": actor.tenant_id},
    ).scalar()
    if number is None:
        raise NotFound(f"No ticket {ticket_id} that your organisation services")
    if len(used) > MAX_LINES:
        raise Invalid("used", f"lists at most {MAX_LINES} parts")
    group, consumed = uuid.uuid4(), 0
    for n, (code, qty) in enumerate(used):
        part = find_part(db, actor, code, f"used[{n}].partCode")
        _qty(qty, f"used[{n}].qty")
        db.flush()
        before = _on_hand_by_hub(db, part.id)
        consume_reserved(db, actor, ticket_id, part.id, qty)
        db.flush()
        for hub_id, on_hand in _on_hand_by_hub(db, part.id).items():
            if on_hand != before.get(hub_id, on_hand):
                stock = _line(db, actor, hub_id, part, create=False)
                _ledger(
                    db,
                    actor,
                    "consumption",
                    stock,
                    on_hand - before[hub_id],
                    group,
                    ticket_id=ticket_id,
                    reference=f"#{number}",
                )
                check_low(db, actor, stock)
        consumed += qty
    released = release_reservations(db, actor, ticket_id) if release_rest else 0
    db.flush()
    if released:
        _recheck_released(db, actor, ticket_id)
    return {"consumed": consumed, "released": released}
