"""Planning a partner's open tickets over real Delhi pincodes: skills, parts and reasons;
then the same through the API and a real Celery worker, accepted into assignments."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.dispatch.models import Technician
from services.dispatch.planner import plan
from services.geo.coverage import save_service_area
from services.identity.service import create_user
from services.parts.models import FaultPart, Part, PartStock
from services.tenancy.models import Tenant
from services.tenancy.service import grant_access
from services.tickets.service import open_ticket
from tests.factories import PASSWORD, make_org, make_served_device, platform_admin
from tests.workers import celery_running


def _technician(partner, hub_id, name: str, skills: list[str]) -> uuid.UUID:
    admin = platform_admin()
    with tenant_session(admin) as db:
        user = create_user(
            db,
            admin,
            db.get(Tenant, partner.tenant.id),
            f"{name.lower()}.{uuid.uuid4().hex[:6]}@test.yantra.in",
            name,
            [Role.TECHNICIAN.value],
            None,
        )
        user_id = user.id
    with tenant_session(partner.actor) as db:
        tech = Technician(
            tenant_id=partner.tenant.id,
            user_id=user_id,
            home_area_id=hub_id,
            skills=skills,
            shift_start=clock(0, 0),
            shift_end=clock(23, 59),
            workdays=list(range(7)),
            max_jobs_per_day=8,
        )
        db.add(tech)
        db.flush()
        return tech.id


def _tomorrow_morning() -> datetime:
    """08:00 IST tomorrow: the plans here do not depend on when the tests run."""
    ist = ZoneInfo("Asia/Kolkata")
    return (datetime.now(ist) + timedelta(days=1)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )


@pytest.fixture(scope="module")
def world():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    devices = {
        key: make_served_device(hospital, partner, sku, pincode=pin)
        for key, sku, pin in (
            ("ct", "MVI-CT128", "110029"),
            ("ct2", "MVI-CT128", "110017"),
            ("vent", "PLS-VT7", "110001"),
            ("mri", "MVI-MR15", "110048"),
        )
    }
    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "facility")
    with tenant_session(partner.actor) as db:
        hub = save_service_area(
            db,
            partner.actor,
            name="Plan hub",
            hub_pincode="110016",
            radius_km=25,
            max_response_time_hours=4,
        )
        coolant = Part(tenant_id=partner.tenant.id, code="CT-COOLANT", name="Coolant kit")
        db.add(coolant)
        db.flush()
        sku = db.execute(text("SELECT id FROM sku WHERE code = 'MVI-CT128'")).scalar_one()
        db.add(
            FaultPart(
                tenant_id=partner.tenant.id, sku_id=sku, error_code="CT-COOL-4", part_id=coolant.id
            )
        )
        db.add(
            PartStock(tenant_id=partner.tenant.id, area_id=hub.id, part_id=coolant.id, on_hand=0)
        )
        hub_id = hub.id
    techs = {
        "ct": _technician(partner, hub_id, "Kiran", ["CT", "X-ray"]),
        "vent": _technician(partner, hub_id, "Salma", ["Ventilator", "Patient monitor"]),
    }
    tickets = {}
    with tenant_session(hospital.actor) as db:
        for key, device, priority, code in (
            ("short", "ct", "P2", "CT-COOL-4"),
            ("ct", "ct2", "P3", "CT-GANTRY-1"),
            ("vent", "vent", "P1", "VT-ALARM-2"),
            ("mri", "mri", "P2", "MR-HE-1"),
        ):
            tickets[key] = str(
                open_ticket(
                    db,
                    hospital.actor,
                    devices[device].device_id,
                    priority,
                    code,
                    f"plan test {key}",
                ).id
            )
    return partner, techs, tickets


def test_plan_respects_skills_and_parts_and_says_why_jobs_are_left_out(world):
    partner, techs, tickets = world
    with tenant_session(partner.actor) as db:
        result = plan(db, start=_tomorrow_morning(), seconds=2)
    by_tech = {r["technicianId"]: [s["ticketId"] for s in r["stops"]] for r in result["routes"]}
    assert by_tech[str(techs["ct"])] == [tickets["ct"]]
    assert by_tech[str(techs["vent"])] == [tickets["vent"]]
    reasons = {u["ticketId"]: u["reason"] for u in result["unassigned"]}
    assert reasons.keys() == {tickets["short"], tickets["mri"]}
    assert "parts short: CT-COOLANT" in reasons[tickets["short"]]
    assert "skilled for MRI" in reasons[tickets["mri"]]
    stop = next(r for r in result["routes"] if r["stops"])["stops"][0]
    assert stop["eta"] and stop["travelMinutes"] > 0


def test_a_plan_runs_in_a_worker_and_accepting_it_assigns_the_tickets(
    world, client, auth, tmp_path: Path
):
    partner, techs, tickets = world
    headers = auth(partner.email, PASSWORD)
    with celery_running(tmp_path):
        asked = client.post(
            "/api/v1/dispatch/plans",
            headers=headers,
            json={"timeLimitSeconds": 2, "startAt": _tomorrow_morning().isoformat()},
        )
        assert asked.status_code == 202, asked.text
        url = f"/api/v1/dispatch/plans/{asked.json()['planId']}"
        deadline = time.monotonic() + 90
        while (body := client.get(url, headers=headers).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the plan never finished"
            time.sleep(0.5)
    assert body["status"] == "ready" and body["summary"]["assigned"] == 2
    # The ventilator P1 opened today is planned tomorrow morning, past its deadline:
    # accepting needs the dispatcher to say they know.
    asked_first = client.post(f"{url}/accept", headers=headers)
    assert asked_first.status_code == 409
    vent = next(s for r in body["routes"] for s in r["stops"] if s["ticketId"] == tickets["vent"])
    assert f"P1 #{vent['number']}" in asked_first.json()["error"]["message"]
    accepted = client.post(f"{url}/accept", headers=headers, json={"acknowledgeLateP1": True})
    assert accepted.status_code == 200 and accepted.json()["assigned"] == 2
    with system_session() as db:
        rows = dict(
            db.execute(
                text(
                    "SELECT id::text, status || ':' || coalesce("
                    "technician_id::text, '') FROM ticket WHERE id::text = "
                    "ANY(:t)"
                ),
                {"t": list(tickets.values())},
            ).all()
        )
        events = db.execute(
            text(
                "SELECT count(*) FROM outbox_event WHERE name = "
                "'DispatchAssigned' AND entity_id = ANY(:t)"
            ),
            {"t": list(tickets.values())},
        ).scalar_one()
    assert rows[tickets["vent"]] == f"assigned:{techs['vent']}"
    assert rows[tickets["ct"]] == f"assigned:{techs['ct']}"
    assert rows[tickets["mri"]].startswith("open:") and events == 2
    again = client.post(f"{url}/accept", headers=headers)
    assert again.status_code == 409


def test_bad_plan_requests_are_refused(client, auth, world):
    partner, _techs, _tickets = world
    headers = auth(partner.email, PASSWORD)
    for body in (
        {"timeLimitSeconds": 0},
        {"timeLimitSeconds": 600},
        {"timeLimitSeconds": "soon"},
        {"startAt": "2020-01-01T09:00:00+05:30"},
        {"startAt": "2026-12-01T09:00:00"},
    ):
        response = client.post("/api/v1/dispatch/plans", headers=headers, json=body)
        assert response.status_code == 400, (body, response.text)
    assert (
        client.post("/api/v1/dispatch/plans", headers=auth("buyer_admin"), json={}).status_code
        == 403
    )
    missing = client.get(f"/api/v1/dispatch/plans/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
