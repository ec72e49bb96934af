"""The living demo (`DEMO_LIVE=1`): each tick moves the demo day along as the phones and
the hospitals would. Technicians advance along their accepted routes (on the way, half
way there, on site, working, resolved, on to the next stop) with their positions moving,
and now and then a hospital reports a new fault on one of its devices in the four metros.

Every change goes through the same services as a person's would (the ticket's status
machine and SLA clocks, `open_ticket`), so the ops console, the maps, the bell and the
hospital's service desk follow it live.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, Role, TenantKind
from services.db import system_session, tenant_session
from services.dispatch.models import DispatchPlan
from services.geo.distance import haversine_m
from services.seed.day_plan import (
    PLANNERS,
    advance_to,
    demo_actor,
    set_position,
    technician_actor,
)
from services.seed.service_day import FAULTS, HOSPITAL, PRIORITIES
from services.tickets.models import Ticket
from services.tickets.service import change_status, open_ticket

log = logging.getLogger("yantra.demo")

MOVING = ("assigned", "en_route", "on_site", "in_progress")
ARRIVED_M = 1500  # closer than this, the technician is at the site
SOURCES = ("portal", "whatsapp", "qr", "telemetry")


@dataclass
class Tick:
    moved: int = 0
    opened: int = 0


def tick(
    rng: random.Random | None = None, new_ticket_chance: float = 0.5, move_share: float = 0.6
) -> Tick:
    """One step of the demo day: about `move_share` of the routes under way take their next
    step, and with `new_ticket_chance` a new ticket opens. Returns what happened."""
    rng = rng or random.Random()
    done = Tick()
    for tenant_name, email, role in PLANNERS:
        with system_session() as db:
            actor = demo_actor(db, tenant_name, email, role)
        if actor is None:
            continue
        with tenant_session(actor) as db:
            plan = db.exec(
                select(DispatchPlan)
                .where(DispatchPlan.status == "accepted")
                .order_by(DispatchPlan.accepted_at.desc())
            ).first()
            for route in plan.routes if plan else []:
                if route["stops"] and rng.random() < move_share:
                    done.moved += _step(db, route, rng)
    if rng.random() < new_ticket_chance:
        done.opened += _new_fault(rng)
    return done


def _step(db: Session, route: dict, rng: random.Random) -> int:
    """The route's technician takes one step on their current stop; 1 if they moved."""
    ids = [uuid.UUID(s["ticketId"]) for s in route["stops"]]
    tickets = {t.id: t for t in db.exec(select(Ticket).where(Ticket.id.in_(ids)))}
    current = next(
        (
            (stop, tickets[i])
            for stop, i in zip(route["stops"], ids, strict=True)
            if i in tickets
            and tickets[i].status in MOVING
            and str(tickets[i].technician_id) == route["technicianId"]
        ),
        None,
    )
    if current is None:
        return 0
    stop, ticket = current
    tech = technician_actor(db, route["technicianId"])
    here = db.execute(
        text("SELECT latitude, longitude FROM technician WHERE id = :id"),
        {"id": route["technicianId"]},
    ).one()
    lat, lng = here.latitude or route["start"]["lat"], here.longitude or route["start"]["lng"]
    if ticket.status == "assigned":
        advance_to(db, tech, ticket.id, "en_route")
        lat, lng = _towards(lat, lng, stop, 0.4)
    elif ticket.status == "en_route":
        lat, lng = _towards(lat, lng, stop, 0.6)
        if haversine_m(lat, lng, stop["lat"], stop["lng"]) < ARRIVED_M:
            advance_to(db, tech, ticket.id, "on_site")
            lat, lng = stop["lat"], stop["lng"]
    elif ticket.status == "on_site":
        advance_to(db, tech, ticket.id, "in_progress")
    else:
        change_status(db, tech, ticket.id, "resolved", "fixed and tested with the staff")
    set_position(db, route["technicianId"], lat, lng, rng)
    return 1


def _towards(lat: float, lng: float, stop: dict, share: float) -> tuple[float, float]:
    return lat + (stop["lat"] - lat) * share, lng + (stop["lng"] - lng) * share


def _new_fault(rng: random.Random) -> int:
    """A hospital reports a fault on a demo-day device with nothing open on it."""
    with system_session() as db:
        buyer = db.execute(
            text(
                "SELECT u.id, u.full_name, t.id AS tenant_id FROM users u "
                "JOIN tenant t ON t.id = u.tenant_id WHERE t.name = :n AND u.email = :e"
            ),
            {"n": HOSPITAL, "e": f"{Role.BUYER_ADMIN.value}@demo.yantra.in"},
        ).first()
        free = db.execute(
            text("""
            SELECT e.id, s.category FROM equipment e JOIN sku s ON s.id = e.sku_id
             WHERE e.serial_number LIKE 'SD-%' AND NOT EXISTS (
                   SELECT 1 FROM ticket t WHERE t.equipment_id = e.id
                      AND t.status NOT IN ('resolved', 'closed', 'cancelled'))""")
        ).all()
    if buyer is None or not free:
        return 0
    device, kind = rng.choice(free)
    code, what = rng.choice(FAULTS.get(kind) or (("GEN-1", "Device reports an error"),))
    priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
    actor = Actor(
        buyer.id, buyer.tenant_id, TenantKind.HOSPITAL_CHAIN, frozenset({Role.BUYER_ADMIN}),
        buyer.full_name,
    )  # fmt: skip
    with tenant_session(actor) as db:
        ticket = open_ticket(db, actor, device, priority, code, what, rng.choice(SOURCES))
        log.info("demo: new %s ticket #%s (%s)", priority, ticket.number, kind)
    return 1
