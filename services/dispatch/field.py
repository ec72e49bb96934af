"""What the control room sees on its map: open tickets where they are with their SLA risk,
technicians where they were last seen, the hubs, and the routes of the latest plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.dispatch.models import DispatchPlan
from services.geo.coverage import list_service_areas

AT_RISK_S = 1800  # the ops board turns a clock orange 30 minutes before its deadline
MAX_TICKETS = 2000


def _risk(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "paused"
    left = (due - now).total_seconds()
    return "late" if left < 0 else "at risk" if left < AT_RISK_S else "on time"


def field_view(db: Session, tenant_id, now: datetime | None = None) -> dict[str, Any]:
    """Open tickets with a known site (most urgent first), the organisation's technicians
    and hubs, and the routes of its newest ready or accepted plan."""
    now = now or datetime.now(UTC)
    tickets = [
        {
            "ticketId": str(r.id),
            "number": r.number,
            "priority": r.priority,
            "status": r.status,
            "facility": r.facility,
            "lat": r.latitude,
            "lng": r.longitude,
            "technician": r.technician or "",
            "risk": _risk(r.due, now),
        }
        for r in db.execute(
            text("""
            SELECT t.id, t.number, t.priority, t.status, f.name AS facility, f.latitude,
                   f.longitude, u.full_name AS technician,
                   CASE WHEN t.responded_at IS NULL THEN t.response_due_at
                        ELSE t.resolution_due_at END AS due
              FROM ticket t
              JOIN healthcare_facilities f ON f.id = t.facility_id
              LEFT JOIN technician h ON h.id = t.technician_id
              LEFT JOIN users u ON u.id = h.user_id
             WHERE t.status NOT IN ('resolved', 'closed', 'cancelled')
               AND f.latitude IS NOT NULL
             ORDER BY t.priority, due NULLS LAST
             LIMIT :limit"""),
            {"limit": MAX_TICKETS},
        )
    ]
    technicians = [
        {
            "name": r.full_name,
            "status": r.status,
            "lat": r.lat,
            "lng": r.lng,
            "lastFixAt": r.last_fix_at.isoformat() if r.last_fix_at else None,
            "skills": list(r.skills),
        }
        for r in db.execute(
            text("""
            SELECT u.full_name, h.status, h.skills, h.last_fix_at,
                   coalesce(h.latitude, p.latitude, a.hub_latitude) AS lat,
                   coalesce(h.longitude, p.longitude, a.hub_longitude) AS lng
              FROM technician h JOIN users u ON u.id = h.user_id
              LEFT JOIN service_areas a ON a.id = h.home_area_id
              LEFT JOIN indian_pincodes p ON p.pincode = h.pincode
             WHERE h.tenant_id = :tenant
             ORDER BY u.full_name"""),
            {"tenant": tenant_id},
        )
        if r.lat is not None
    ]
    plan = db.exec(
        select(DispatchPlan)
        .where(DispatchPlan.status.in_(("ready", "accepted")))
        .order_by(DispatchPlan.created_at.desc())
    ).first()
    return {
        "tickets": tickets,
        "technicians": technicians,
        "hubs": list_service_areas(db, tenant_id),
        "routes": plan.routes if plan else [],
        "planStatus": plan.status if plan else "",
    }
