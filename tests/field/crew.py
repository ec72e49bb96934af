"""A service partner's crew for field tests: a dispatcher, two technicians at a Delhi hub
holding parts, and a hospital's CT scanner at a site the partner serves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import select

from services.actor import Actor, Role, TenantKind
from services.common.clock import today_ist
from services.db import system_session, tenant_session
from services.dispatch.models import Technician
from services.field.demo import accept_route
from services.geo.coverage import save_service_area
from services.identity.models import User
from services.identity.service import create_user
from services.parts.models import Part, PartStock
from services.parts.service import reserve_parts
from services.tenancy.service import grant_access
from services.tickets.machine import ACTIVE
from services.tickets.models import Ticket
from services.tickets.service import open_ticket
from tests.factories import PASSWORD, make_org, make_served_device, platform_admin


@dataclass
class Crew:
    hospital: object
    partner: object
    technician: Actor
    technician_email: str
    other_technician_id: uuid.UUID
    device_id: uuid.UUID
    label_id: uuid.UUID
    site: tuple[float, float]
    hub_id: uuid.UUID
    part_code: str

    def new_job(self, reserve: int = 0) -> uuid.UUID:
        """A new ticket on the crew's device, on the technician's route for today."""
        hospital = self.hospital.actor
        with tenant_session(hospital) as db:
            ticket_id = open_ticket(db, hospital, self.device_id, "P2", "CT-9", "Noisy gantry").id
        dispatcher = self.partner.actor
        with tenant_session(dispatcher) as db:
            if reserve:
                reserve_parts(db, dispatcher, ticket_id, self.part_code, self.hub_id, reserve)
            tech = db.exec(
                select(Technician).where(Technician.user_id == self.technician.user_id)
            ).one()
            # The day's plan again, with the new job last, as the dispatcher's re-plan would.
            route = list(
                db.exec(
                    select(Ticket)
                    .where(Ticket.technician_id == tech.id, Ticket.status.in_(ACTIVE))
                    .order_by(Ticket.number)
                )
            )
            accept_route(db, dispatcher, tech, [*route, db.get(Ticket, ticket_id)], _ist_morning())
        return ticket_id

    def reassign(self, ticket_id: uuid.UUID) -> None:
        """The dispatcher gives the job to the other technician."""
        with tenant_session(self.partner.actor) as db:
            ticket = db.get(Ticket, ticket_id)
            ticket.technician_id = self.other_technician_id
            db.add(ticket)


def _ist_morning() -> datetime:
    from services.common.clock import IST

    return datetime.combine(today_ist(), datetime.min.time(), IST) + timedelta(hours=10)


def _technician(admin, partner, hub_id, name: str) -> tuple[uuid.UUID, str, uuid.UUID]:
    email = f"{name}.{uuid.uuid4().hex[:6]}@test.yantra.in"
    with tenant_session(admin) as db:
        create_user(
            db, admin, partner.tenant, email, name.title(), [Role.TECHNICIAN.value], PASSWORD
        )
    with tenant_session(admin) as db:
        user_id = db.exec(select(User.id).where(User.email == email)).one()
    with tenant_session(partner.actor) as db:
        tech = Technician(
            tenant_id=partner.tenant.id,
            user_id=user_id,
            home_area_id=hub_id,
            skills=["CT"],
            pincode="110016",
        )
        db.add(tech)
        db.flush()
        return user_id, email, tech.id


def make_crew(part_code: str = "CT-SLIP-BRUSH") -> Crew:
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    served = make_served_device(hospital, partner, "MVI-CT128")
    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "facility")
    with tenant_session(partner.actor) as db:
        hub = save_service_area(
            db,
            partner.actor,
            name="Delhi South",
            hub_pincode="110016",
            radius_km=25,
            max_response_time_hours=4,
        )
        part = Part(
            tenant_id=partner.tenant.id,
            code=part_code,
            name="Slip ring brush set",
            device_type="CT",
        )
        db.add(part)
        db.flush()
        db.add(PartStock(tenant_id=partner.tenant.id, area_id=hub.id, part_id=part.id, on_hand=5))
        hub_id = hub.id
    admin = platform_admin()
    user_id, email, _ = _technician(admin, partner, hub_id, "ravi")
    _, _, other_id = _technician(admin, partner, hub_id, "kiran")
    technician = Actor(
        user_id, partner.tenant.id, TenantKind.SERVICE_PARTNER, frozenset({Role.TECHNICIAN}), email
    )
    with system_session() as db:
        site = db.execute(
            text("SELECT latitude, longitude FROM indian_pincodes WHERE pincode = '110029'")
        ).one()
    return Crew(
        hospital,
        partner,
        technician,
        email,
        other_id,
        served.device_id,
        served.label_id,
        (site[0], site[1]),
        hub_id,
        part_code,
    )


def event(kind: str, ticket_id, payload: dict, minutes: int = 0, key=None) -> dict:
    """One queued event, made `minutes` after a fixed morning on the phone's clock."""
    moment = datetime(2026, 12, 1, 4, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return {
        "idempotencyKey": str(key or uuid.uuid4()),
        "type": kind,
        "entityId": str(ticket_id),
        "clientTime": moment.isoformat().replace("+00:00", "Z"),
        "payload": payload,
    }


def batch(*events: dict) -> dict:
    return {"clientId": str(uuid.uuid4()), "events": list(events)}
