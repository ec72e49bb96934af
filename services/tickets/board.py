"""The dispatcher's board: open tickets with their clocks, and the console's figures."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.tickets.machine import STATUSES

CLOSED = ("resolved", "closed", "cancelled")


def list_tickets(
    db: Session,
    *,
    status: str | None = None,
    priority: str | None = None,
    city: str | None = None,
    partner: str | None = None,
    open_only: bool = True,
    limit: int = 500,
    device_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """Tickets the actor can see, most urgent first (priority, then nearest deadline);
    with `device_id`, only that device's."""
    if status and status not in STATUSES:
        from services.errors import Invalid

        raise Invalid("status", f"must be one of {', '.join(STATUSES)}")
    where, params = ["true"], {"limit": limit}
    if open_only:
        where.append("t.status NOT IN ('resolved', 'closed', 'cancelled')")
    for column, value in (("t.status", status), ("t.priority", priority), ("t.city", city)):
        if value:
            where.append(f"{column} = :{column[2:]}")
            params[column[2:]] = value
    if partner:
        where.append("d.name = :partner")
        params["partner"] = partner
    if device_id:
        where.append("t.equipment_id = :device_id")
        params["device_id"] = device_id
    rows = db.execute(
        text(f"""
        SELECT t.id, t.number, t.priority, t.status, t.city, t.error_code, t.description,
               t.opened_at, t.updated_at, t.response_due_at, t.resolution_due_at, t.responded_at,
               t.response_breached_at, t.resolution_breached_at, t.escalation_level,
               t.penalty_paise, d.name AS partner, f.name AS facility, e.serial_number,
               t.source, t.equipment_id
          FROM ticket t
          LEFT JOIN tenant_directory() d ON d.id = t.service_partner_tenant_id
          LEFT JOIN healthcare_facilities f ON f.id = t.facility_id
          LEFT JOIN equipment e ON e.id = t.equipment_id
         WHERE {" AND ".join(where)}
         ORDER BY t.priority, LEAST(CASE WHEN t.responded_at IS NULL THEN t.response_due_at END,
                                    t.resolution_due_at) NULLS LAST
         LIMIT :limit"""),
        params,
    ).all()
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    out = []
    for r in rows:
        next_due = r.response_due_at if r.responded_at is None else r.resolution_due_at
        out.append(
            {
                "ticketId": str(r.id),
                "number": r.number,
                "priority": r.priority,
                "status": r.status,
                "city": r.city or "",
                "partner": r.partner or "",
                "facility": r.facility or "",
                "serial": r.serial_number or "",
                "deviceId": str(r.equipment_id) if r.equipment_id else None,
                "source": r.source,
                "errorCode": r.error_code or "",
                "description": (r.description or "")[:140],
                "openedAt": iso(r.opened_at),
                "updatedAt": iso(r.updated_at),
                "nextDueAt": iso(next_due),
                "breached": bool(r.response_breached_at or r.resolution_breached_at),
                "escalationLevel": r.escalation_level,
            }
        )
    return out


def ticket_frame(db: Session, ticket_id) -> dict[str, Any] | None:
    """A compact view of one ticket for live subscribers (None if not visible)."""
    row = db.execute(
        text(
            "SELECT id, number, priority, status, city, error_code, description, updated_at, "
            "CASE WHEN responded_at IS NULL THEN response_due_at ELSE resolution_due_at END AS due,"
            " (response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL) AS breached "
            "FROM ticket WHERE id = :t"
        ),
        {"t": ticket_id},
    ).first()
    if row is None:
        return None
    return {
        "type": "ticket",
        "ticketId": str(row.id),
        "number": row.number,
        "priority": row.priority,
        "status": row.status,
        "city": row.city,
        "errorCode": row.error_code,
        "description": row.description,
        "nextDueAt": row.due.isoformat() if row.due else None,
        "breached": row.breached,
        "updatedAt": row.updated_at.isoformat(),
    }


def board_choices(db: Session) -> dict[str, Any]:
    """Cities and partners of open tickets (for the filters) and how many have breached."""
    row = db.execute(
        text(
            "SELECT array_agg(DISTINCT t.city) FILTER (WHERE t.city IS NOT NULL) AS cities, "
            "array_agg(DISTINCT d.name) FILTER (WHERE d.name IS NOT NULL) AS partners, "
            "count(*) FILTER (WHERE t.response_breached_at IS NOT NULL "
            "OR t.resolution_breached_at IS NOT NULL) AS breached "
            "FROM ticket t LEFT JOIN tenant_directory() d ON d.id = t.service_partner_tenant_id "
            "WHERE t.status NOT IN ('resolved', 'closed', 'cancelled')"
        )
    ).one()
    return {
        "cities": sorted(row.cities or []),
        "partners": sorted(row.partners or []),
        "breachedOpen": int(row.breached),
    }
