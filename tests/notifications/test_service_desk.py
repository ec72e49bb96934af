"""The service desk is told to act: a new P1 or P2 reaches the dispatchers of the
organisation that services the device (a P3 waits for the board), and a job given out by
an accepted plan reaches its technician, and nobody else; a P1 no route takes reaches the
OEM when the dispatcher says so, and the service managers when a plan is accepted without
it. Their home pages list what waits."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.dispatch.models import DispatchPlan, Technician
from services.dispatch.next_steps import apply_next_step
from services.dispatch.service import accept_plan
from services.overview.waiting import waiting_for
from services.tickets.service import open_ticket
from tests.factories import make_org, make_served_device
from tests.notifications.conftest import colleague, notices, relay


@pytest.fixture(scope="module")
def desk():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    other = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    people = {
        "manager": colleague(partner, Role.OEM_SERVICE_MANAGER, "Service Manager"),
        "asha": colleague(partner, Role.TECHNICIAN, "Asha Technician"),
        "bala": colleague(partner, Role.TECHNICIAN, "Bala Technician"),
    }
    served = make_served_device(hospital, partner, "MVI-CT128")
    techs = {}
    with tenant_session(partner.actor) as db:
        for key in ("asha", "bala"):
            tech = Technician(
                tenant_id=partner.tenant.id, user_id=people[key].user_id, skills=["CT"]
            )
            db.add(tech)
            db.flush()
            techs[key] = tech.id
    return hospital, partner, other, people, served, techs


def _open(hospital, served, priority: str) -> uuid.UUID:
    with tenant_session(hospital.actor) as db:
        return open_ticket(
            db, hospital.actor, served.device_id, priority, "CT-TUBE-3", "Gantry will not rotate"
        ).id


def _about(actor, ticket_id) -> list[dict]:
    return [n for n in notices(actor) if n["link"] == f"/tickets/{ticket_id}"]


@pytest.mark.parametrize("priority", ["P1", "P2"])
def test_an_urgent_ticket_tells_the_servicing_dispatchers(desk, priority):
    hospital, partner, other, people, served, _techs = desk
    ticket_id = _open(hospital, served, priority)
    relay()
    for dispatcher in (partner.actor, people["manager"]):
        told = _about(dispatcher, ticket_id)
        assert [n["kind"] for n in told] == ["ticket_urgent"]
        assert told[0]["title"].startswith(f"New {priority} ticket #")
        assert "Gantry will not rotate" in told[0]["body"]
        assert hospital.tenant.name in told[0]["body"]
    for bystander in (people["asha"], other.actor):
        assert _about(bystander, ticket_id) == []
    # the hospital hears only that its own ticket is logged, never the desk's alarm
    assert [n["kind"] for n in _about(hospital.actor, ticket_id)] == ["ticket_opened"]


def test_a_routine_ticket_waits_for_the_board(desk):
    hospital, partner, _other, people, served, _techs = desk
    ticket_id = _open(hospital, served, "P3")
    relay()
    assert _about(partner.actor, ticket_id) == [] and _about(people["manager"], ticket_id) == []


def test_an_accepted_plan_tells_each_technician_of_their_own_job(desk):
    hospital, partner, _other, people, served, techs = desk
    ticket_id = _open(hospital, served, "P2")
    with tenant_session(partner.actor) as db:
        plan = DispatchPlan(
            tenant_id=partner.tenant.id,
            status="ready",
            routes=[
                {
                    "technicianId": str(techs["asha"]),
                    "technician": "Asha Technician",
                    "stops": [
                        {
                            "ticketId": str(ticket_id),
                            "number": 0,
                            "priority": "P2",
                            "pinned": False,
                            "eta": "2026-12-01T10:30:00+05:30",
                            "lateMinutes": 0,
                            "deviceType": "CT",
                            "facility": "Test site",
                        }
                    ],
                },
                {"technicianId": str(techs["bala"]), "technician": "Bala", "stops": []},
            ],
        )
        db.add(plan)
        db.flush()
        assert accept_plan(db, partner.actor, plan.id) == 1
    relay()
    told = [n for n in _about(people["asha"], ticket_id) if n["kind"] == "job_assigned"]
    assert len(told) == 1 and told[0]["title"].startswith("Assigned to you: #")
    assert "stop 1 of your route" in told[0]["body"] and "10:30" in told[0]["body"]
    for bystander in (people["bala"], partner.actor, people["manager"], hospital.actor):
        assert [n for n in _about(bystander, ticket_id) if n["kind"] == "job_assigned"] == []


def _waiting(actor) -> dict[str, list[str]]:
    with tenant_session(actor) as db:
        return {s.key: [i.link for i in s.items] for s in waiting_for(db, actor, limit=50)}


def test_the_dispatchers_home_lists_urgent_and_unassigned_tickets_as_links(desk):
    hospital, partner, other, _people, served, _techs = desk
    urgent = _open(hospital, served, "P1")
    routine = _open(hospital, served, "P4")
    lists = _waiting(partner.actor)
    assert f"/tickets/{urgent}" in lists["urgent"]
    assert f"/tickets/{routine}" not in lists["urgent"]
    assert {f"/tickets/{urgent}", f"/tickets/{routine}"} <= set(lists["unassigned"])
    assert f"/tickets/{urgent}" not in _waiting(other.actor)["urgent"]  # another partner's


def test_the_technicians_home_lists_their_jobs_only(desk):
    _hospital, _partner, _other, people, _served, _techs = desk
    asha, bala = _waiting(people["asha"])["jobs"], _waiting(people["bala"])["jobs"]
    assert asha and all(link.startswith("/tickets/") for link in asha)
    assert not set(asha) & set(bala)


def test_a_p1_no_route_takes_reaches_the_oem_and_the_managers_when_accepted_so(desk):
    hospital, partner, _other, people, served, _techs = desk
    ticket_id = _open(hospital, served, "P1")
    left = {
        "ticketId": str(ticket_id),
        "number": 0,
        "priority": "P1",
        "deviceType": "CT",
        "facility": "Test site",
        "reason": "no technician with CT skills is on shift",
    }
    with tenant_session(partner.actor) as db:
        plan = DispatchPlan(tenant_id=partner.tenant.id, status="ready", unassigned=[left])
        db.add(plan)
        db.flush()
        apply_next_step(db, partner.actor, plan.id, str(ticket_id), "tell_oem")
        accept_plan(db, partner.actor, plan.id, acknowledge_p1=True)
        maker = db.execute(
            text("SELECT manufacturer_tenant_id FROM equipment WHERE id = :d"),
            {"d": served.device_id},
        ).scalar_one()
    relay()
    with system_session() as db:
        told = db.execute(
            text(
                "SELECT DISTINCT tenant_id, role FROM notification "
                "WHERE kind = 'p1_uncovered' AND link = :l"
            ),
            {"l": f"/tickets/{ticket_id}"},
        ).all()
    assert told and {row.tenant_id for row in told} == {maker}
    assert {row.role for row in told} <= {"oem_service_manager", "oem_admin"}
    managers = [n for n in notices(people["manager"]) if n["kind"] == "p1_not_kept"]
    assert managers and managers[0]["link"] == "/dispatch"
    assert not [n for n in notices(partner.actor) if n["kind"] == "p1_not_kept"]
