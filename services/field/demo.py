"""The field app's demo: the repository's checklists loaded, and the demo technician given
an accepted route for the day the platform starts (four jobs across three of the hospital's
Delhi sites, with a part held for the first), so the phone app always has work to show."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, Role, TenantKind
from services.columns import utcnow
from services.common.clock import IST, today_ist
from services.db import system_session, tenant_session
from services.dispatch.models import DispatchPlan, Technician
from services.errors import Conflict
from services.field.jobs import route_for
from services.field.workflows import load_repository_workflows
from services.identity.models import User
from services.parts.models import Part, PartStock
from services.parts.service import reserve_parts
from services.tickets.machine import ACTIVE
from services.tickets.models import Ticket
from services.tickets.service import change_status, open_ticket

log = logging.getLogger("yantra.seed")
DEMO_TECHNICIAN = "technician@demo.yantra.in"
# (device serial, priority, fault code, what the hospital reported)
DEMO_JOBS = (
    ("MVI-CT128-23-000642", "P2", "CT-GAN-12", "Gantry rotation stops at high speed"),
    ("MVI-MR15-24-000117", "P3", "MR-COIL-3", "Head coil not detected on some scans"),
    ("MVI-PM12-24-008841", "P2", "PM-SPO2-7", "SpO2 reading drops out on bed 4"),
    ("MVI-US9-25-006120", "P3", "US-TRK-1", "Trackball and keyboard stop responding"),
)
DEMO_PARTS = (("CT-SLIP-BRUSH", "Slip ring brush set", "CT", 4),)


def accept_route(
    db: Session, actor: Actor, technician: Technician, tickets: list[Ticket], start: datetime
) -> DispatchPlan:
    """An accepted plan giving `tickets` to `technician` in this order, an hour and a half
    apart from `start`, shaped as the optimiser writes plans (so the dispatch page and the
    maps read it alike): each ticket is assigned to them through the ticket's status
    machine."""
    stops = []
    for order, ticket in enumerate(tickets):
        if ticket.status in ("open", "acknowledged", "reopened"):  # work under way stays
            change_status(db, actor, ticket.id, "assigned", f"route of the day, stop {order + 1}")
        ticket.technician_id = technician.id
        db.add(ticket)
        stops.append(
            {
                "ticketId": str(ticket.id),
                "number": ticket.number,
                "priority": ticket.priority,
                **_site(db, ticket),
                "eta": (start + timedelta(hours=order * 1.5)).isoformat(),
                "travelMinutes": 20,
                "serviceMinutes": 60,
                "lateMinutes": 0,
                "pinned": False,
            }
        )
    name = db.execute(
        text("SELECT full_name FROM users WHERE id = :u"), {"u": technician.user_id}
    ).scalar()
    begin = _start_of(db, technician, stops)
    route = {
        "technicianId": str(technician.id),
        "technician": name or actor.label,
        "skills": sorted(technician.skills or []),
        "start": begin,
        "home": begin,
        "stops": stops,
        "shift": [start.isoformat(), (start + timedelta(hours=8)).isoformat()],
        "onCall": technician.on_call,
    }
    plan = DispatchPlan(
        tenant_id=actor.tenant_id,
        status="accepted",
        routes=[route],
        summary={  # the optimiser's summary, so the dispatch page shows this plan like any
            "assigned": len(stops),
            "unassigned": 0,
            "travelMinutes": sum(s["travelMinutes"] for s in stops),
            "lateP1": 0,
            "techniciansUsed": 1,
            "seconds": 0,
        },
        accepted_at=utcnow(),
    )
    db.add(plan)
    db.flush()
    return plan


def _site(db: Session, ticket: Ticket) -> dict:
    """Where a job is and on what: facility name, coordinates and device type."""
    row = db.execute(
        text("""
        SELECT f.name, coalesce(f.latitude, p.latitude) AS lat,
               coalesce(f.longitude, p.longitude) AS lng, s.category
          FROM ticket t
          LEFT JOIN healthcare_facilities f ON f.id = t.facility_id
          LEFT JOIN indian_pincodes p ON p.pincode = f.pincode
          LEFT JOIN equipment e ON e.id = t.equipment_id
          LEFT JOIN sku s ON s.id = e.sku_id
         WHERE t.id = :t"""),
        {"t": ticket.id},
    ).one()
    return {
        "deviceType": row.category or "",
        "facility": row.name or "",
        "lat": row.lat,
        "lng": row.lng,
    }


def _start_of(db: Session, technician: Technician, stops: list[dict]) -> dict:
    """Where the technician sets out: their last fix, else their hub, else the first stop."""
    if technician.latitude is not None and technician.longitude is not None:
        return {"lat": technician.latitude, "lng": technician.longitude}
    hub = db.execute(
        text("SELECT hub_latitude, hub_longitude FROM service_areas WHERE id = :a"),
        {"a": technician.home_area_id},
    ).first()
    if hub is not None:
        return {"lat": hub.hub_latitude, "lng": hub.hub_longitude}
    first = stops[0] if stops else {"lat": None, "lng": None}
    return {"lat": first["lat"], "lng": first["lng"]}


def prepare_field_day(day: date | None = None) -> int:
    """Load the repository's checklists, and give the demo technician an accepted route
    for `day` (today in IST) unless they have one. Returns the number of stops added."""
    with system_session() as db:
        load_repository_workflows(db)
        user = db.exec(select(User).where(User.email == DEMO_TECHNICIAN)).first()
        technician = (
            user and db.exec(select(Technician).where(Technician.user_id == user.id)).first()
        )
    if technician is None:
        return 0
    day = day or today_ist()
    dispatcher = Actor(
        None,
        technician.tenant_id,
        TenantKind.SERVICE_PARTNER,
        frozenset({Role.DISPATCHER}),
        "Route of the day",
    )
    with tenant_session(dispatcher) as db:
        if route_for(db, technician, day)[1]:
            return 0
        tickets = _demo_tickets(db, dispatcher, technician)
        start = _first_eta(day)
        accept_route(db, dispatcher, technician, tickets, start)
    log.info("demo technician's route for %s: %d stops", day, len(tickets))
    return len(tickets)


def _first_eta(day: date) -> datetime:
    """10:00 IST, or half an hour from now when the day is under way, early enough that
    every stop still falls on the day."""
    soon = (utcnow() + timedelta(minutes=30)).astimezone(IST).replace(second=0, microsecond=0)
    earliest = datetime.combine(day, time(10, 0), IST)
    latest = datetime.combine(day, time(18, 0), IST)  # the last stop still before 23:00
    return min(max(earliest, soon), latest)


def _demo_tickets(db: Session, actor: Actor, technician: Technician) -> list[Ticket]:
    """The demo jobs still open from an earlier day, else new ones (with a part held)."""
    serials = [serial for serial, *_ in DEMO_JOBS]
    devices = dict(
        db.execute(
            text("SELECT serial_number, id FROM equipment WHERE serial_number = ANY(:s)"),
            {"s": serials},
        ).all()
    )
    tickets = []
    for serial, priority, code, description in DEMO_JOBS:
        if serial not in devices:
            continue
        held = db.exec(
            select(Ticket).where(
                Ticket.equipment_id == devices[serial],
                Ticket.error_code == code,
                Ticket.status.in_(ACTIVE),
            )
        ).first()
        tickets.append(
            held or open_ticket(db, actor, devices[serial], priority, code, description, "api")
        )
    db.flush()
    _hold_parts(db, actor, technician, tickets)
    return tickets


def _hold_parts(db: Session, actor: Actor, technician: Technician, tickets: list[Ticket]) -> None:
    if technician.home_area_id is None or not tickets:
        return
    for code, name, device_type, on_hand in DEMO_PARTS:
        part = db.exec(select(Part).where(Part.code == code)).first()
        if part is None:
            part = Part(tenant_id=actor.tenant_id, code=code, name=name, device_type=device_type)
            db.add(part)
            db.flush()
            db.add(
                PartStock(
                    tenant_id=actor.tenant_id,
                    area_id=technician.home_area_id,
                    part_id=part.id,
                    on_hand=on_hand,
                )
            )
            db.flush()
        held = db.execute(
            text("SELECT 1 FROM part_reservation WHERE ticket_id = :t AND status = 'reserved'"),
            {"t": tickets[0].id},
        ).first()
        if held is None:
            try:
                reserve_parts(db, actor, tickets[0].id, code, technician.home_area_id, 1)
            except Conflict as exc:  # the demo hub ran out: the job goes without
                log.info("no demo part held: %s", exc.message)
