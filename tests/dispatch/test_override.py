"""The dispatcher overrides the optimizer: a move is previewed with new ETAs and the rules
it breaks, applied to the plan, and accepted as the dispatcher left it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.dispatch.override import LEFT_OUT_BY_DISPATCHER, sla_risk
from services.dispatch.service import request_plan, run_plan
from services.geo.coverage import save_service_area
from services.tenancy.service import grant_access
from services.tickets.service import change_status, open_ticket
from tests.dispatch.test_planner import _technician, _tomorrow_morning
from tests.factories import PASSWORD, make_org, make_served_device


@pytest.fixture(scope="module")
def planned():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    devices = {
        key: make_served_device(hospital, partner, sku, pincode=pin)
        for key, sku, pin in (
            ("ct", "MVI-CT128", "110029"),
            ("vent", "PLS-VT7", "110001"),
            ("mri", "MVI-MR15", "110048"),
            ("vent2", "PLS-VT7", "110017"),
        )
    }
    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "facility")
    with tenant_session(partner.actor) as db:
        hub_id = save_service_area(
            db,
            partner.actor,
            name="Override hub",
            hub_pincode="110016",
            radius_km=25,
            max_response_time_hours=4,
        ).id
    techs = {
        "kiran": _technician(partner, hub_id, "Kiran", ["CT", "X-ray"]),
        "salma": _technician(partner, hub_id, "Salma", ["Ventilator"]),
    }
    tickets = {}
    with tenant_session(hospital.actor) as db:
        for key, priority, code in (
            ("ct", "P3", "CT-GANTRY-1"),
            ("vent", "P1", "VT-ALARM-2"),
            ("mri", "P2", "MR-HE-1"),
            ("vent2", "P4", "VT-FAN-1"),
        ):
            tickets[key] = str(
                open_ticket(
                    db,
                    hospital.actor,
                    devices[key].device_id,
                    priority,
                    code,
                    f"override test {key}",
                ).id
            )
    with tenant_session(partner.actor) as db:
        plan_id = request_plan(db, partner.actor, 2, _tomorrow_morning()).id
    assert run_plan(partner.actor, plan_id) == "ready"
    return partner, {k: str(v) for k, v in techs.items()}, tickets, plan_id


def _route(body: dict, tech: str) -> list[str]:
    return next(
        [s["ticketId"] for s in r["stops"]] for r in body["routes"] if r["technicianId"] == tech
    )


def test_a_preview_shows_new_etas_and_broken_rules_and_changes_nothing(planned, client, auth):
    partner, techs, tickets, plan_id = planned
    headers = auth(partner.email, PASSWORD)
    url = f"/api/v1/dispatch/plans/{plan_id}"
    before = client.get(url, headers=headers).json()
    assert _route(before, techs["kiran"]) == [tickets["ct"]]
    assert set(_route(before, techs["salma"])) == {tickets["vent"], tickets["vent2"]}
    preview = client.post(
        f"{url}/moves/preview",
        headers=headers,
        json={"ticketId": tickets["vent"], "technicianId": techs["kiran"]},
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert set(body["changed"]) == {techs["kiran"], techs["salma"]}
    assert set(_route(body, techs["kiran"])) == {tickets["ct"], tickets["vent"]}
    assert _route(body, techs["salma"]) == [tickets["vent2"]]
    kiran = next(r for r in body["routes"] if r["technicianId"] == techs["kiran"])
    etas = [s["eta"] for s in kiran["stops"]]
    assert etas == sorted(etas) and all(s["travelMinutes"] > 0 for s in kiran["stops"])
    messages = [v["message"] for v in body["violations"]]
    assert "Kiran is not skilled for Ventilator" in messages
    after = client.get(url, headers=headers).json()
    assert after["routes"] == before["routes"], "a preview must not change the plan"


def test_applied_moves_are_what_gets_accepted(planned, client, auth):
    partner, techs, tickets, plan_id = planned
    headers = auth(partner.email, PASSWORD)
    url = f"/api/v1/dispatch/plans/{plan_id}"
    moved = client.post(
        f"{url}/moves", headers=headers, json={"ticketId": tickets["vent2"], "technicianId": None}
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert tickets["vent2"] not in _route(body, techs["salma"])
    left = {u["ticketId"]: u["reason"] for u in body["unassigned"]}
    assert left[tickets["vent2"]] == LEFT_OUT_BY_DISPATCHER
    # The MRI ticket no one is skilled for goes to Kiran anyway, with the broken rule shown.
    forced = client.post(
        f"{url}/moves",
        headers=headers,
        json={"ticketId": tickets["mri"], "technicianId": techs["kiran"]},
    )
    assert forced.status_code == 200, forced.text
    assert "Kiran is not skilled for MRI" in [v["message"] for v in forced.json()["violations"]]
    assert forced.json()["summary"]["assigned"] == 3
    accepted = client.post(f"{url}/accept", headers=headers, json={"acknowledgeLateP1": True})
    assert accepted.json()["assigned"] == 3
    with system_session() as db:
        rows = dict(
            db.execute(
                text(
                    "SELECT id::text, status || ':' || coalesce(technician_id::text, '') FROM ticket "
                    "WHERE id::text = ANY(:t)"
                ),
                {"t": list(tickets.values())},
            ).all()
        )
        trail = db.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = "
                "'dispatch.override' AND entity_id = :p"
            ),
            {"p": str(plan_id)},
        ).scalar_one()
    assert rows[tickets["mri"]] == f"assigned:{techs['kiran']}"
    assert rows[tickets["vent"]] == f"assigned:{techs['salma']}"
    assert rows[tickets["vent2"]].startswith("open:")
    assert trail == 2


def test_bad_moves_are_refused_with_the_reason(planned, client, auth):
    partner, techs, tickets, _plan_id = planned
    headers = auth(partner.email, PASSWORD)
    with tenant_session(partner.actor) as db:
        fresh = request_plan(db, partner.actor, 2, _tomorrow_morning()).id
    with tenant_session(partner.actor) as db:
        # Accepted to Kiran in the test before; now he is on his way.
        change_status(db, partner.actor, uuid.UUID(tickets["ct"]), "en_route", "override test")
    assert run_plan(partner.actor, fresh) == "ready"
    url = f"/api/v1/dispatch/plans/{fresh}/moves"
    cases = [
        ({"ticketId": tickets["ct"], "technicianId": techs["salma"]}, 409),  # under way
        ({"ticketId": str(uuid.uuid4()), "technicianId": techs["salma"]}, 400),
        ({"ticketId": tickets["vent"], "technicianId": str(uuid.uuid4())}, 400),
        ({"ticketId": "not-a-ticket", "technicianId": techs["salma"]}, 400),
    ]
    for body, status in cases:
        response = client.post(url, headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
    assert client.post(url, headers=auth("buyer_admin"), json=cases[0][0]).status_code == 403


def test_sla_risk_reads_the_eta_against_the_deadline():
    assert sla_risk({"lateMinutes": 5, "eta": "2026-11-26T10:00:00+05:30"}) == "late"
    assert (
        sla_risk(
            {
                "lateMinutes": 0,
                "eta": "2026-11-26T10:00:00+05:30",
                "deadline": "2026-11-26T10:20:00+05:30",
            }
        )
        == "at risk"
    )
    assert (
        sla_risk(
            {
                "lateMinutes": 0,
                "eta": "2026-11-26T10:00:00+05:30",
                "deadline": "2026-11-26T12:00:00+05:30",
            }
        )
        == "on time"
    )
