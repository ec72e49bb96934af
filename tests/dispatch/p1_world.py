"""A service partner with a round-the-clock (gold) and a business-hours (silver) contract,
one hub in South Delhi, and a hospital whose devices it services: the arrangement the
P1 tests plan in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from services.actor import Role, TenantKind
from services.db import tenant_session
from services.devices.registry import RegisterDevice, register_device
from services.dispatch.models import Technician
from services.geo.coverage import save_service_area
from services.identity.service import create_user
from services.sla.models import SlaPolicy
from services.sla.service import default_targets
from services.tenancy.models import Tenant
from services.tenancy.service import grant_access
from services.tickets.service import open_ticket
from tests.factories import Org, make_org, make_served_device, platform_admin

IST = ZoneInfo("Asia/Kolkata")


@dataclass
class World:
    hospital: Org
    partner: Org
    hub_id: uuid.UUID
    site_id: uuid.UUID


def make_world() -> World:
    """A hospital, its service partner (gold round the clock, silver business hours) and
    the partner's hub near the hospital's site at 110029."""
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    site = make_served_device(hospital, partner, "MVI-US9", pincode="110029", sla_tier="gold")
    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "facility")
    with tenant_session(partner.actor) as db:
        for tier, round_the_clock in (("gold", True), ("silver", False)):
            db.add(
                SlaPolicy(
                    tenant_id=partner.tenant.id,
                    name=f"{tier} AMC",
                    tier=tier,
                    round_the_clock=round_the_clock,
                    workdays=list(range(7)),
                    targets=default_targets(tier),
                )
            )
        hub = save_service_area(
            db,
            partner.actor,
            name=f"South Delhi {uuid.uuid4().hex[:4]}",
            hub_pincode="110016",
            radius_km=25,
            max_response_time_hours=4,
        )
        hub_id = hub.id
    return World(hospital, partner, hub_id, site.site_id)


def add_technician(
    world: World,
    name: str,
    skills: list[str],
    *,
    on_call: bool = False,
    shift: tuple[int, int] = (9, 18),
    hub_id: uuid.UUID | None = None,
    employee_code: str | None = None,
    phone: str | None = None,
    workdays: list[int] | None = None,
) -> uuid.UUID:
    """A technician of the partner working `shift` (hours, IST) on `workdays` (0 Monday;
    every day when not given)."""
    admin = platform_admin()
    with tenant_session(admin) as db:
        user = create_user(
            db,
            admin,
            db.get(Tenant, world.partner.tenant.id),
            f"tech.{uuid.uuid4().hex[:8]}@test.yantra.in",
            name,
            [Role.TECHNICIAN.value],
            None,
        )
        user_id = user.id
    with tenant_session(world.partner.actor) as db:
        tech = Technician(
            tenant_id=world.partner.tenant.id,
            user_id=user_id,
            home_area_id=hub_id or world.hub_id,
            skills=skills,
            shift_start=clock(shift[0], 0),
            shift_end=clock(shift[1], 0),
            workdays=list(range(7)) if workdays is None else workdays,
            max_jobs_per_day=6,
            on_call=on_call,
            employee_code=employee_code,
            phone=phone,
        )
        db.add(tech)
        db.flush()
        return tech.id


def open_at_site(world: World, sku: str, tier: str, priority: str, text: str) -> str:
    """A new ticket on a new `sku` device at the world's hospital site, under `tier`."""
    with tenant_session(world.hospital.actor) as db:
        device, _label = register_device(
            db,
            world.hospital.actor,
            RegisterDevice(
                serial_number=f"T-{uuid.uuid4().hex[:10]}",
                sku_code=sku,
                facility_id=world.site_id,
                installation_date=date(2025, 1, 1),
                sla_tier=tier,
            ),
        )
        db.flush()
        return str(open_ticket(db, world.hospital.actor, device.id, priority, None, text).id)


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """Tomorrow at this time in IST, so plans do not depend on when the tests run."""
    return (datetime.now(IST) + timedelta(days=1)).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )


def stops_of(result: dict) -> dict[str, dict]:
    """Each planned stop by its ticket id, with its technician's id."""
    return {
        s["ticketId"]: {**s, "technicianId": r["technicianId"]}
        for r in result["routes"]
        for s in r["stops"]
    }
