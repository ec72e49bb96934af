"""The dispatcher's side of the field app: conflicts to resolve (an offline change that no
longer fits the ticket), and the field at a glance (each technician's last position and
sync, today's arrivals, parts requests)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import DISPATCHERS
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.field.actions import ACTIONS, Context, FieldEvent
from services.field.models import SyncEvent

RESOLUTIONS = ("apply", "dismiss")


def _require_dispatcher(actor: Actor) -> None:
    if not actor.roles & DISPATCHERS:
        raise Forbidden("only a dispatcher or service manager sees the field's conflicts")


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def list_conflicts(db: Session, actor: Actor, status: str = "open") -> list[dict[str, Any]]:
    """Conflicts of the organisation's technicians, open (oldest first) or resolved (newest
    first). Raises Forbidden or Invalid (status)."""
    _require_dispatcher(actor)
    if status not in ("open", "resolved"):
        raise Invalid("status", "must be open or resolved")
    rows = db.execute(
        text(f"""
        SELECT s.*, t.number, t.status AS ticket_status, u.full_name AS technician,
               r.full_name AS resolver
          FROM sync_event s
          LEFT JOIN ticket t ON t.id = s.ticket_id
          LEFT JOIN users u ON u.id = s.user_id
          LEFT JOIN users r ON r.id = s.resolved_by
         WHERE s.status = 'conflict'
           AND s.resolution IS {"NULL" if status == "open" else "NOT NULL"}
         ORDER BY s.received_at {"" if status == "open" else "DESC"}
         LIMIT 200""")
    )
    return [
        {
            "id": str(r.id),
            "ticketId": str(r.ticket_id) if r.ticket_id else None,
            "ticketNumber": r.number,
            "ticketStatus": r.ticket_status,
            "technician": r.technician,
            "type": r.type,
            "payload": r.payload,
            "clientTime": _iso(r.client_time),
            "receivedAt": _iso(r.received_at),
            "reason": r.error,
            "status": "resolved" if r.resolution else "open",
            "resolution": r.resolution,
            "resolvedBy": r.resolver,
            "resolvedAt": _iso(r.resolved_at),
            "note": r.resolution_note,
        }
        for r in rows
    ]


def resolve_conflict(
    db: Session, actor: Actor, conflict_id: uuid.UUID, action: str, note: str = ""
) -> SyncEvent:
    """Answer a conflict: `apply` makes the technician's change now, as the dispatcher
    (raises Conflict if the ticket still cannot take it); `dismiss` keeps the ticket as it
    is. Raises Forbidden, NotFound, Invalid (action) or Conflict (already resolved)."""
    _require_dispatcher(actor)
    if action not in RESOLUTIONS:
        raise Invalid("action", "must be apply or dismiss")
    row = db.get(SyncEvent, conflict_id, with_for_update=True)
    if row is None or row.status != "conflict":
        raise NotFound("No such conflict")
    if row.resolution is not None:
        raise Conflict(f"This conflict was already resolved ({row.resolution})")
    if action == "apply":
        event = FieldEvent(
            0, row.idempotency_key, row.type, row.ticket_id, row.client_time, dict(row.payload)
        )
        ACTIONS[row.type](db, Context(actor, None, by_dispatcher=True), event)
    row.resolution = "applied" if action == "apply" else "dismissed"
    row.resolved_by, row.resolved_at = actor.user_id, utcnow()
    row.resolution_note = (note or "").strip()[:1000]
    db.add(row)
    audit.record(db, actor, "field.conflict", "sync_event", row.id, row.resolution)
    return row


def field_overview(db: Session, actor: Actor) -> dict[str, Any]:
    """Each technician's last position and sync, the last day's arrivals and the open
    parts requests. Raises Forbidden."""
    _require_dispatcher(actor)
    since = utcnow() - timedelta(days=1)
    technicians = db.execute(
        text("""
        SELECT h.id, u.full_name, h.latitude, h.longitude, h.last_fix_at,
               (SELECT max(s.received_at) FROM sync_event s WHERE s.user_id = h.user_id)
                   AS last_sync_at
          FROM technician h JOIN users u ON u.id = h.user_id
         ORDER BY last_sync_at DESC NULLS LAST, u.full_name""")
    )
    visits = db.execute(
        text("""
        SELECT v.ticket_id, t.number, u.full_name, v.checked_in_at, v.check_in_method,
               v.check_in_distance_m, v.waiting_parts_reason, v.waiting_parts_at, t.status
          FROM field_visit v JOIN ticket t ON t.id = v.ticket_id
          LEFT JOIN users u ON u.id = v.technician_user_id
         WHERE v.checked_in_at >= :since OR (t.status = 'on_hold'
               AND v.waiting_parts_reason IS NOT NULL)"""),
        {"since": since},
    ).all()
    open_conflicts = db.execute(
        text("SELECT count(*) FROM sync_event WHERE status = 'conflict' AND resolution IS NULL")
    ).scalar_one()
    return {
        "technicians": [
            {
                "id": str(r.id),
                "name": r.full_name,
                "lat": r.latitude,
                "lon": r.longitude,
                "lastFixAt": _iso(r.last_fix_at),
                "lastSyncAt": _iso(r.last_sync_at),
            }
            for r in technicians
        ],
        "arrivals": [
            {
                "ticketId": str(v.ticket_id),
                "number": v.number,
                "technician": v.full_name,
                "at": _iso(v.checked_in_at),
                "method": v.check_in_method,
                "distanceM": None
                if v.check_in_distance_m is None
                else round(v.check_in_distance_m),
            }
            for v in sorted(
                (v for v in visits if v.checked_in_at and v.checked_in_at >= since),
                key=lambda v: v.checked_in_at,
                reverse=True,
            )
        ],
        "waitingParts": [
            {
                "ticketId": str(v.ticket_id),
                "number": v.number,
                "technician": v.full_name,
                "reason": v.waiting_parts_reason,
                "at": _iso(v.waiting_parts_at),
            }
            for v in visits
            if v.status == "on_hold" and v.waiting_parts_reason
        ],
        "openConflicts": open_conflicts,
    }
