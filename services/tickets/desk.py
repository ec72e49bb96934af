"""The customer's service desk: a hospital's or lab's own tickets, open and closed, with
the SLA clock, the engineer and the ETA; their devices by site with uptime; commenting,
confirming a resolution, and reopening one within the contract's reopen window (a
reopened ticket does not count as fixed the first time)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.columns import utcnow
from services.common.roles import SERVICE_DESK_USERS
from services.contracts.figures import DOWN_PRIORITIES, Period, downtime_seconds, percent
from services.errors import Conflict, Invalid, NotFound
from services.tickets.machine import ACTIVE
from services.tickets.models import Ticket, TicketEvent
from services.tickets.service import add_comment, change_status

STATUS_GROUPS = {
    "open": ACTIVE + ("on_hold",),
    "resolved": ("resolved",),
    "closed": ("closed", "cancelled"),
}
DEFAULT_REOPEN_DAYS = 7
UPTIME_DAYS = 30
MAX_NOTE = 2000


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def desk_tickets(
    db: Session,
    actor: Actor,
    *,
    site: uuid.UUID | None = None,
    device_type: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The organisation's own tickets, open first and then most recent, filtered by site,
    device type (the SKU's category) and status (open, resolved, closed or one status);
    each with its SLA clock, engineer and ETA. Raises Forbidden or Invalid (status)."""
    actor.require(*SERVICE_DESK_USERS)
    where, params = ["t.tenant_id = :me"], {"me": actor.tenant_id, "limit": limit}
    if status:
        group = STATUS_GROUPS.get(status)
        if group is None:
            raise Invalid("status", "must be open, resolved or closed")
        where.append("t.status = ANY(:statuses)")
        params["statuses"] = list(group)
    if site:
        where.append("t.facility_id = :site")
        params["site"] = site
    if device_type:
        where.append("s.category = :dtype")
        params["dtype"] = device_type
    rows = db.execute(
        text(f"""
        SELECT t.id, t.number, t.priority, t.status, t.source, t.description, t.opened_at,
               t.responded_at, t.response_due_at, t.resolution_due_at, t.resolved_at,
               t.response_breached_at, t.resolution_breached_at, t.reopen_count,
               f.name AS site, s.name AS device, s.category, e.serial_number
          FROM ticket t
          LEFT JOIN equipment e ON e.id = t.equipment_id
          LEFT JOIN sku s ON s.id = e.sku_id
          LEFT JOIN healthcare_facilities f ON f.id = t.facility_id
         WHERE {" AND ".join(where)}
         ORDER BY (t.status = ANY(:active)) DESC, t.opened_at DESC
         LIMIT :limit"""),
        {**params, "active": list(STATUS_GROUPS["open"])},
    ).all()
    visits = _visits(db, [r.id for r in rows])
    return [_row(r, visits.get(r.id)) for r in rows]


def _visits(db: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    if not ids:
        return {}
    found = db.execute(
        text("SELECT * FROM service_desk_visits(CAST(:ids AS uuid[]))"),
        {"ids": [str(i) for i in ids]},
    ).all()
    return {v.ticket_id: v for v in found}


def _row(r, visit) -> dict[str, Any]:
    clock_due = r.response_due_at if r.responded_at is None else r.resolution_due_at
    return {
        "ticketId": str(r.id),
        "number": r.number,
        "priority": r.priority,
        "status": r.status,
        "source": r.source,
        "description": (r.description or "")[:160],
        "site": r.site or "",
        "device": r.device or "",
        "deviceType": r.category or "",
        "serial": r.serial_number or "",
        "openedAt": _iso(r.opened_at),
        "resolvedAt": _iso(r.resolved_at),
        "clockDueAt": None if r.status in ("resolved", "closed", "cancelled") else _iso(clock_due),
        "clock": "response" if r.responded_at is None else "resolution",
        "breached": bool(r.response_breached_at or r.resolution_breached_at),
        "engineer": (visit.engineer if visit else None) or "",
        "etaAt": _iso(visit.eta) if visit else None,
        "reopened": r.reopen_count,
    }


def desk_choices(db: Session, actor: Actor) -> dict[str, list]:
    """The organisation's sites (id, name) and the device types it owns, for the filters."""
    actor.require(*SERVICE_DESK_USERS)
    sites = db.execute(
        text("SELECT id, name FROM healthcare_facilities WHERE tenant_id = :me ORDER BY name"),
        {"me": actor.tenant_id},
    ).all()
    types = db.execute(
        text(
            "SELECT DISTINCT s.category FROM equipment e JOIN sku s ON s.id = e.sku_id "
            "WHERE e.tenant_id = :me ORDER BY 1"
        ),
        {"me": actor.tenant_id},
    ).scalars()
    return {"sites": [{"id": str(s.id), "name": s.name} for s in sites], "deviceTypes": list(types)}


def devices_by_site(db: Session, actor: Actor) -> list[dict[str, Any]]:
    """The organisation's devices grouped by site, each with its uptime over the last 30
    days (P1/P2 tickets as downtime), open tickets and service state."""
    actor.require(*SERVICE_DESK_USERS)
    now = utcnow()
    period = Period(now - timedelta(days=UPTIME_DAYS), now)
    devices = db.execute(
        text("""
        SELECT e.id, e.serial_number, e.service_state, s.name, s.category,
               coalesce(f.name, 'No site') AS site, e.amc_status
          FROM equipment e JOIN sku s ON s.id = e.sku_id
          LEFT JOIN healthcare_facilities f ON f.id = e.facility_id
         WHERE e.tenant_id = :me ORDER BY site, s.name, e.serial_number"""),
        {"me": actor.tenant_id},
    ).all()
    outages: dict[uuid.UUID, list] = {}
    open_count: dict[uuid.UUID, int] = {}
    for t in db.execute(
        text(
            "SELECT equipment_id, priority, status, source, opened_at, resolved_at FROM ticket "
            "WHERE tenant_id = :me AND status <> 'cancelled' "
            "AND (resolved_at IS NULL OR resolved_at > :since)"
        ),
        {"me": actor.tenant_id, "since": period.start},
    ):
        if t.status in STATUS_GROUPS["open"]:
            open_count[t.equipment_id] = open_count.get(t.equipment_id, 0) + 1
        if t.priority in DOWN_PRIORITIES and t.source != "preventive":
            outages.setdefault(t.equipment_id, []).append((t.opened_at, t.resolved_at))
    sites: dict[str, list] = {}
    for d in devices:
        down = downtime_seconds(outages.get(d.id, []), period)
        sites.setdefault(d.site, []).append(
            {
                "deviceId": str(d.id),
                "name": d.name,
                "deviceType": d.category,
                "serial": d.serial_number,
                "serviceState": d.service_state,
                "cover": d.amc_status,
                "uptimePercent": float(percent(period.seconds - down, period.seconds)),
                "openTickets": open_count.get(d.id, 0),
            }
        )
    return [{"site": name, "devices": rows} for name, rows in sites.items()]


def _own_ticket(db: Session, actor: Actor, ticket_id: uuid.UUID) -> Ticket:
    actor.require(*SERVICE_DESK_USERS)
    ticket = db.get(Ticket, ticket_id)
    if ticket is None or ticket.tenant_id != actor.tenant_id:
        raise NotFound("No ticket with that id that you can see")
    return ticket


def comment(db: Session, actor: Actor, ticket_id: uuid.UUID, body: str) -> TicketEvent:
    """The customer's comment on its own ticket. Raises Forbidden, NotFound or Invalid."""
    _own_ticket(db, actor, ticket_id)
    return add_comment(db, actor, ticket_id, body)


def confirm(db: Session, actor: Actor, ticket_id: uuid.UUID, note: str = "") -> Ticket:
    """The customer confirms the fix: a resolved ticket becomes closed. Raises Forbidden,
    NotFound or Conflict (not resolved)."""
    ticket = _own_ticket(db, actor, ticket_id)
    if ticket.status != "resolved":
        raise Conflict("Only a resolved ticket can be confirmed")
    return change_status(db, actor, ticket.id, "closed", (note or "Fix confirmed")[:MAX_NOTE])


def reopen_window(db: Session, ticket: Ticket) -> timedelta:
    """How long after resolution the customer may reopen: the contract's
    `reopenWindowDays`, else 7 days."""
    days = None
    if ticket.contract_id:
        days = db.execute(
            text("SELECT (terms->>'reopenWindowDays')::int FROM contract WHERE id = :c"),
            {"c": ticket.contract_id},
        ).scalar()
    return timedelta(days=days or DEFAULT_REOPEN_DAYS)


def reopen(db: Session, actor: Actor, ticket_id: uuid.UUID, reason: str) -> Ticket:
    """Reopen a resolved ticket within the reopen window, saying what is still wrong; the
    ticket then counts against first-time fix. Raises Forbidden, NotFound, Invalid
    (reason) or Conflict (not resolved, or the window has passed: open a new ticket)."""
    ticket = _own_ticket(db, actor, ticket_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_NOTE:
        raise Invalid("reason", "say what is still wrong (up to 2,000 characters)")
    if ticket.status != "resolved" or ticket.resolved_at is None:
        raise Conflict("Only a resolved ticket can be reopened")
    window = reopen_window(db, ticket)
    if utcnow() - ticket.resolved_at > window:
        raise Conflict(f"The {window.days}-day reopen window has passed; open a new ticket instead")
    ticket = change_status(db, actor, ticket.id, "reopened", reason)
    ticket.reopen_count += 1
    db.add(ticket)
    return ticket


def desk_ticket(db: Session, actor: Actor, ticket_id: uuid.UUID) -> dict[str, Any]:
    """One of the organisation's own tickets with its history, SLA deadlines, engineer,
    ETA and whether it may still be confirmed or reopened. Raises Forbidden or NotFound."""
    from services.tickets.service import get_ticket

    ticket = _own_ticket(db, actor, ticket_id)
    detail = get_ticket(db, ticket.id)
    visit = _visits(db, [ticket.id]).get(ticket.id)
    can_reopen = (
        ticket.status == "resolved"
        and ticket.resolved_at is not None
        and utcnow() - ticket.resolved_at <= reopen_window(db, ticket)
    )
    detail.update(
        {
            "engineer": (visit.engineer if visit else None) or "",
            "etaAt": _iso(visit.eta) if visit else None,
            "canConfirm": ticket.status == "resolved",
            "canReopen": can_reopen,
            "reopened": ticket.reopen_count,
        }
    )
    return detail
