"""The demo service day's plan: for the service partner and the imaging OEM, the planner
(`services.dispatch.planner`) routes the open tickets of the day, the dispatcher's demo account
accepts the plan, and the day is shown under way: each technician's first job en route,
on site or being worked, a few jobs waiting for parts, some unplanned tickets acknowledged,
and every technician at their last known position along their route.

Once a day: a second run the same day (IST) finds the day's plan and changes nothing.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, Role, TenantKind
from services.columns import utcnow
from services.common.clock import IST, today_ist
from services.db import system_session, tenant_session
from services.dispatch.freshness import technician_basis
from services.dispatch.models import DispatchPlan
from services.dispatch.planner import plan
from services.dispatch.service import accept_plan
from services.geo.distance import haversine_m
from services.tickets.models import Ticket
from services.tickets.service import change_status

log = logging.getLogger("yantra.seed")

PLANNERS = (
    ("Kaveri Biomedical Services (demo)", "dispatcher@demo.yantra.in", Role.DISPATCHER),
    ("Medivance Imaging (demo)", "oem_service_manager@demo.yantra.in", Role.OEM_SERVICE_MANAGER),
)
PLAN_SECONDS = 1.5
# How far along each technician is on their first job, route by route.
FIRST_STOP = ("on_site", "en_route", "in_progress", "en_route", "assigned", "in_progress")
STEPS = ("en_route", "on_site", "in_progress")
WAITING_PARTS = "waiting for parts: the part is on its way from the hub"


def demo_actor(db: Session, tenant_name: str, email: str, role: Role) -> Actor | None:
    """The organisation's demo account (its dispatcher, service manager…) as an acting user."""
    row = db.execute(
        text(
            "SELECT t.id, t.kind, u.id AS user_id, u.full_name FROM tenant t "
            "JOIN users u ON u.tenant_id = t.id WHERE t.name = :n AND u.email = :e"
        ),
        {"n": tenant_name, "e": email},
    ).first()
    if row is None:
        return None
    return Actor(row.user_id, row.id, TenantKind(row.kind), frozenset({role}), row.full_name)


def technician_actor(db: Session, technician_id: str) -> Actor:
    """A technician as the acting user (their moves are theirs in the ticket's history)."""
    row = db.execute(
        text(
            "SELECT h.tenant_id, t.kind, u.id AS user_id, u.full_name FROM technician h "
            "JOIN users u ON u.id = h.user_id JOIN tenant t ON t.id = h.tenant_id "
            "WHERE h.id = :h"
        ),
        {"h": technician_id},
    ).one()
    return Actor(
        row.user_id,
        row.tenant_id,
        TenantKind(row.kind),
        frozenset({Role.TECHNICIAN}),
        row.full_name,
    )


def plan_service_day(seed: int = 19) -> int:
    """Plan, accept and set under way today's routes of the demo partner and OEM, unless
    today's plan exists. Returns the number of tickets the plans assigned."""
    rng, assigned, today = random.Random(seed), 0, today_ist()
    for tenant_name, email, role in PLANNERS:
        with system_session() as db:
            actor = demo_actor(db, tenant_name, email, role)
            if actor is None or _planned_today(db, actor.tenant_id, today.isoformat()):
                continue
        with tenant_session(actor) as db:
            _hold_for_parts(db, actor)
            record = _plan(db, actor, plan_start(today), today)
            assigned += accept_plan(db, actor, record.id, acknowledge_p1=True)
            plan_id = record.id
        _under_way(actor, plan_id, rng)
    return assigned


def plan_start(today: date) -> datetime:
    """Where the day's plan starts: now, kept between 09:00 and 13:00 IST so the routes
    fill a working day whenever the demo starts (a plan made in the evening is the one
    the day was worked to)."""
    earliest = datetime.combine(today, time(9, 0), IST)
    latest = datetime.combine(today, time(13, 0), IST)
    return min(max(utcnow().replace(microsecond=0), earliest), latest)


def _plan(db: Session, actor: Actor, start: datetime, today: date) -> DispatchPlan:
    """The planner's routes for the organisation's open tickets from `start`, saved as a
    ready plan, each stop with its SLA deadline as the dispatch page shows it."""
    result = plan(db, start=start, seconds=PLAN_SECONDS)
    ids = [uuid.UUID(s["ticketId"]) for r in result["routes"] for s in r["stops"]]
    due = dict(
        db.execute(
            text("SELECT id, response_due_at FROM ticket WHERE id = ANY(:ids)"), {"ids": ids}
        ).all()
    )
    for stop in (s for r in result["routes"] for s in r["stops"]):
        moment = due.get(uuid.UUID(stop["ticketId"]))
        stop["deadline"] = moment.isoformat() if moment else None
    record = DispatchPlan(
        tenant_id=actor.tenant_id,
        status="ready",
        params={
            "timeLimitSeconds": PLAN_SECONDS,
            "plannedFrom": start.isoformat(),
            "serviceDay": today.isoformat(),
        },
        routes=result["routes"],
        unassigned=result["unassigned"],
        summary=result["summary"],
        basis={"technicians": technician_basis(db)},
        created_by=actor.user_id,
        finished_at=utcnow(),
    )
    db.add(record)
    db.flush()
    return record


def _planned_today(db: Session, tenant_id: uuid.UUID, today: str) -> bool:
    return (
        db.exec(
            select(DispatchPlan.id).where(
                DispatchPlan.tenant_id == tenant_id,
                DispatchPlan.status == "accepted",
                DispatchPlan.params["serviceDay"].astext == today,
            )
        ).first()
        is not None
    )


def _under_way(dispatcher: Actor, plan_id: uuid.UUID, rng: random.Random) -> None:
    """Move each route's first job as far as FIRST_STOP says (as its technician), place
    every technician where that leaves them, and acknowledge a quarter of what the plan
    left out."""
    with tenant_session(dispatcher) as db:
        record = db.get(DispatchPlan, plan_id)
        busy = [r for r in record.routes if r["stops"]]
        for k, route in enumerate(busy):
            stage = FIRST_STOP[k % len(FIRST_STOP)]
            tech = technician_actor(db, route["technicianId"])
            advance_to(db, tech, uuid.UUID(route["stops"][0]["ticketId"]), stage)
            _place(db, route, stage, rng)
        for n, left in enumerate(record.unassigned):
            ticket = db.get(Ticket, uuid.UUID(left["ticketId"]))
            if ticket is None or ticket.status != "open":
                continue
            if n % 4 == 0:
                change_status(db, dispatcher, ticket.id, "acknowledged", "seen; planning next")
        _idle_at_hub(db, {r["technicianId"] for r in busy}, rng)


def _hold_for_parts(db: Session, dispatcher: Actor) -> None:
    """Before the day is planned, one open ticket in twelve was visited by a skilled
    technician of a hub within 40 km, who found a part missing: it waits on hold."""
    jobs = db.execute(
        text("""
        SELECT t.id, f.latitude AS lat, f.longitude AS lng, s.category FROM ticket t
          JOIN healthcare_facilities f ON f.id = t.facility_id
          JOIN equipment e ON e.id = t.equipment_id JOIN sku s ON s.id = e.sku_id
         WHERE t.service_partner_tenant_id = :me AND t.status = 'open'
           AND f.latitude IS NOT NULL ORDER BY t.number"""),
        {"me": dispatcher.tenant_id},
    ).all()
    techs = db.execute(
        text("""
        SELECT h.id, h.skills, a.hub_latitude AS lat, a.hub_longitude AS lng FROM technician h
          JOIN service_areas a ON a.id = h.home_area_id
         WHERE h.tenant_id = :me AND h.status IN ('available', 'busy')"""),
        {"me": dispatcher.tenant_id},
    ).all()
    for job in jobs[5::12]:
        near = [
            (haversine_m(t.lat, t.lng, job.lat, job.lng), str(t.id))
            for t in techs
            if job.category in (t.skills or [])
        ]
        if near and min(near)[0] < 40_000:
            _waiting_for_parts(db, dispatcher, db.get(Ticket, job.id), min(near)[1])


def _waiting_for_parts(db: Session, dispatcher: Actor, ticket: Ticket, technician_id: str) -> None:
    """A job visited and put on hold: the technician found a part is needed."""
    change_status(db, dispatcher, ticket.id, "assigned", "sent for a first look")
    ticket.technician_id = uuid.UUID(technician_id)
    db.add(ticket)
    tech = technician_actor(db, technician_id)
    advance_to(db, tech, ticket.id, "on_site")
    change_status(db, tech, ticket.id, "on_hold", WAITING_PARTS)


def advance_to(db: Session, tech: Actor, ticket_id: uuid.UUID, stage: str) -> None:
    """Take an assigned ticket through en route, on site and in progress as far as
    `stage`, one status at a time as the phone would; a ticket past it stays."""
    ticket = db.get(Ticket, ticket_id)
    if stage not in STEPS or ticket is None:
        return
    done = STEPS.index(ticket.status) + 1 if ticket.status in STEPS else 0
    if ticket.status != "assigned" and not done:
        return
    for step in STEPS[done : STEPS.index(stage) + 1]:
        change_status(db, tech, ticket_id, step, "on the way" if step == "en_route" else "")


def _place(db: Session, route: dict, stage: str, rng: random.Random) -> None:
    """The technician's last fix: at the first stop when there, part way to it when en
    route, else where the route starts."""
    start, stop = route["start"], route["stops"][0]
    share = {"en_route": rng.uniform(0.35, 0.7), "on_site": 1.0, "in_progress": 1.0}.get(stage, 0)
    lat = start["lat"] + (stop["lat"] - start["lat"]) * share
    lng = start["lng"] + (stop["lng"] - start["lng"]) * share
    set_position(db, route["technicianId"], lat, lng, rng)


def set_position(db: Session, technician_id: str, lat: float, lng: float, rng) -> None:
    """Record a technician's position as their phone would, a minute or two old."""
    db.execute(
        text(
            "UPDATE technician SET latitude = :lat, longitude = :lng, last_fix_at = :at, "
            "updated_at = now() WHERE id = :id"
        ),
        {
            "lat": round(lat, 6),
            "lng": round(lng, 6),
            "at": utcnow().replace(microsecond=0) - timedelta(minutes=rng.randint(1, 4)),
            "id": technician_id,
        },
    )


def _idle_at_hub(db: Session, routed: set[str], rng: random.Random) -> None:
    """Technicians without a job today are at their hub (a little apart, not stacked)."""
    rows = db.execute(
        text(
            "SELECT h.id, a.hub_latitude, a.hub_longitude FROM technician h "
            "JOIN service_areas a ON a.id = h.home_area_id WHERE a.hub_latitude IS NOT NULL"
        )
    ).all()
    for r in rows:
        if str(r.id) not in routed:
            lat = r.hub_latitude + rng.uniform(-0.004, 0.004)
            lng = r.hub_longitude + rng.uniform(-0.004, 0.004)
            set_position(db, str(r.id), lat, lng, rng)
