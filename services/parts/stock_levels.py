"""How much of each part the hubs hold against their reorder points: the stock overview,
low-stock alerts and the movement ledger as people read them.

A line is low when its free stock (on hand less reserved) is at or below its reorder
point. The alert goes to the organisation's stock keepers (dispatchers and service
managers) once per crossing: `part_reorder.low_since` is set when the line goes low and
cleared when it is restocked above the point, so the next fall alerts again.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.common.clock import IST
from services.common.roles import STOCK_KEEPERS
from services.errors import Invalid
from services.notifications.service import Notice, notify_role
from services.parts.models import Part, PartReorder, PartStock

MAX_MOVEMENTS = 200


def hub_name(db: Session, actor: Actor, hub_id: uuid.UUID, name: str = "hubId") -> str:
    """The name of one of the actor's organisation's hubs. Raises Invalid(name) otherwise."""
    found = db.execute(
        text("SELECT name FROM service_areas WHERE id = :h AND tenant_id = :t"),
        {"h": hub_id, "t": actor.tenant_id},
    ).scalar()
    if found is None:
        raise Invalid(name, "is not one of your organisation's hubs")
    return found


def find_part(db: Session, actor: Actor, code: str, name: str = "partCode") -> Part:
    """A part of the actor's catalogue by its code. Raises Invalid(name) when there is none."""
    part = db.exec(
        select(Part).where(Part.tenant_id == actor.tenant_id, Part.code == (code or "").strip())
    ).first()
    if part is None:
        raise Invalid(name, f"no part {code!r} in your catalogue")
    return part


def check_low(db: Session, actor: Actor, stock: PartStock) -> bool | None:
    """Compare a stock line with its reorder point after a movement: alert the stock
    keepers when it has just gone low, clear the alert when it has been restocked.
    Returns whether the line is low, or None when it has no reorder point."""
    point = db.exec(
        select(PartReorder)
        .where(PartReorder.area_id == stock.area_id, PartReorder.part_id == stock.part_id)
        .with_for_update()
    ).first()
    if point is None:
        return None
    free = stock.on_hand - stock.reserved
    is_low = free <= point.reorder_point
    if is_low and point.low_since is None:
        point.low_since = datetime.now(UTC)
        _alert(db, stock, point, free)
    elif not is_low and point.low_since is not None:
        point.low_since = None
    else:
        return is_low
    point.updated_at = datetime.now(UTC)
    db.add(point)
    db.flush()
    return is_low


def _alert(db: Session, stock: PartStock, point: PartReorder, free: int) -> None:
    part = db.get(Part, stock.part_id)
    hub = db.execute(
        text("SELECT name FROM service_areas WHERE id = :h"), {"h": stock.area_id}
    ).scalar()
    notice = Notice(
        "parts_low",
        f"{part.code} is low at {hub}",
        f"{free} free ({stock.on_hand} on hand) against a reorder point of "
        f"{point.reorder_point}: {part.name}",
        "/parts",
        key=f"parts-low:{stock.area_id}:{stock.part_id}:{point.low_since.isoformat()}",
    )
    notify_role(db, stock.tenant_id, STOCK_KEEPERS, notice)


def set_reorder_point(
    db: Session, actor: Actor, hub_id: uuid.UUID, part_code: str, reorder_point: int
) -> dict[str, Any]:
    """Set the point at or below which a part's free stock at a hub counts as low, and
    check the line against it at once (alerting when it is already low).
    Raises Forbidden, Invalid (hub, part, reorder point)."""
    actor.require(*STOCK_KEEPERS)
    hub = hub_name(db, actor, hub_id)
    if isinstance(reorder_point, bool) or not isinstance(reorder_point, int):
        raise Invalid("reorderPoint", "must be a whole number from 0 to 100,000")
    if not 0 <= reorder_point <= 100_000:
        raise Invalid("reorderPoint", "must be a whole number from 0 to 100,000")
    part = find_part(db, actor, part_code)
    db.execute(
        text(
            "INSERT INTO part_reorder (tenant_id, area_id, part_id, reorder_point) "
            "VALUES (:t, :a, :p, :r) ON CONFLICT (area_id, part_id) "
            "DO UPDATE SET reorder_point = :r, updated_at = now()"
        ),
        {"t": actor.tenant_id, "a": hub_id, "p": part.id, "r": reorder_point},
    )
    stock = db.exec(
        select(PartStock)
        .where(PartStock.area_id == hub_id, PartStock.part_id == part.id)
        .with_for_update()
    ).first()
    low = check_low(db, actor, stock) if stock is not None else None
    audit.record(
        db,
        actor,
        "part.reorder_point",
        "part",
        part.id,
        f"{part.code} at {hub}: reorder at {reorder_point}",
    )
    return {
        "hubId": str(hub_id),
        "partCode": part.code,
        "reorderPoint": reorder_point,
        "isLow": bool(low),
    }


_STOCK = """
SELECT a.id AS hub_id, a.name AS hub, p.code, p.name, s.on_hand, s.reserved,
       r.reorder_point, r.low_since
FROM part_stock s
JOIN part p ON p.id = s.part_id
JOIN service_areas a ON a.id = s.area_id
LEFT JOIN part_reorder r ON r.area_id = s.area_id AND r.part_id = s.part_id
WHERE s.tenant_id = :t {where}
ORDER BY a.name, p.code
"""


def _stock_view(row: Any) -> dict[str, Any]:
    free = row.on_hand - row.reserved
    low = row.reorder_point is not None and free <= row.reorder_point
    return {
        "hubId": str(row.hub_id),
        "hub": row.hub,
        "code": row.code,
        "name": row.name,
        "onHand": row.on_hand,
        "reserved": row.reserved,
        "free": free,
        "reorderPoint": row.reorder_point,
        "isLow": low,
        "lowSince": row.low_since.isoformat() if row.low_since else None,
    }


def stock_overview(
    db: Session, actor: Actor, hub_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Every stock line of the organisation's hubs (or one hub), by hub and part code:
    on hand, reserved, free, reorder point and whether it is low."""
    where = "AND s.area_id = :h" if hub_id else ""
    rows = db.execute(text(_STOCK.format(where=where)), {"t": actor.tenant_id, "h": hub_id})
    return [_stock_view(r) for r in rows]


def low_stock(db: Session, actor: Actor) -> list[dict[str, Any]]:
    """The stock lines at or below their reorder point, lowest free stock first."""
    lines = [line for line in stock_overview(db, actor) if line["isLow"]]
    return sorted(lines, key=lambda line: (line["free"] - line["reorderPoint"], line["hub"]))


def recent_movements(
    db: Session, actor: Actor, limit: int = 50, hub_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """The latest movements of the ledger, newest first (at most 200), with when (IST),
    what, where, how many and who."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_MOVEMENTS:
        raise Invalid("limit", f"must be from 1 to {MAX_MOVEMENTS}")
    where = "AND m.area_id = :h" if hub_id else ""
    rows = db.execute(
        text(
            "SELECT m.*, p.code, a.name AS hub FROM part_movement m "
            "JOIN part p ON p.id = m.part_id JOIN service_areas a ON a.id = m.area_id "
            f"WHERE m.tenant_id = :t {where} ORDER BY m.created_at DESC, m.kind LIMIT :n"
        ),
        {"t": actor.tenant_id, "h": hub_id, "n": limit},
    )
    return [
        {
            "id": str(r.id),
            "at": r.created_at.astimezone(IST).strftime("%d %b %Y %H:%M"),
            "kind": r.kind,
            "partCode": r.code,
            "hubId": str(r.area_id),
            "hub": r.hub,
            "qtyChange": r.qty_change,
            "onHandAfter": r.on_hand_after,
            "batch": r.batch,
            "serials": list(r.serials or []),
            "reason": r.reason,
            "reference": r.reference,
            "ticketId": str(r.ticket_id) if r.ticket_id else None,
            "groupId": str(r.group_id),
            "by": r.actor_label,
        }
        for r in rows
    ]


def hubs_and_parts(db: Session, actor: Actor) -> dict[str, list[dict[str, str]]]:
    """The organisation's hubs (id, name) and its parts catalogue (code, name), by name
    and code: what the stock forms offer."""
    hubs = db.execute(
        text("SELECT id, name FROM service_areas WHERE tenant_id = :t ORDER BY name"),
        {"t": actor.tenant_id},
    ).all()
    parts = db.execute(
        text("SELECT code, name FROM part WHERE tenant_id = :t ORDER BY code"),
        {"t": actor.tenant_id},
    ).all()
    return {
        "hubs": [{"id": str(h.id), "name": h.name} for h in hubs],
        "parts": [{"code": p.code, "name": p.name} for p in parts],
    }
