"""A technician's day on the phone: the stops of the accepted plan in route order, with
site, device, fault, parts held and the device type's checklist; and the checklists
themselves, versioned, published by a service manager, kept per ticket once started."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.actor import Actor, Role, TenantKind
from services.common.clock import today_ist
from services.db import tenant_session
from services.field.demo import prepare_field_day
from services.field.workflows import publish_workflow
from tests.field.crew import batch, event, make_crew

PASSWORD = "correct-horse-battery"
DEVICE_TYPES = {
    "MRI",
    "CT",
    "Ultrasound",
    "Ventilator",
    "Patient monitor",
    "Haematology analyzer",
    "Infusion pump",
}


def test_the_demo_technician_has_a_route_for_today(client, auth):
    # A day of its own, as make run prepares one on the day it starts: other tests work
    # today's jobs.
    target = today_ist() + timedelta(days=3)
    prepare_field_day(target)
    answer = client.get(
        "/api/v1/me/jobs", params={"date": target.isoformat()}, headers=auth("technician")
    )

    assert answer.status_code == 200, answer.text
    day = answer.json()
    assert day["date"] == target.isoformat()
    assert day["technician"]["name"] == "Arjun Yadav"
    jobs = day["jobs"]
    assert len(jobs) >= 2
    assert [j["stop"] for j in jobs] == list(range(1, len(jobs) + 1))
    assert [j["eta"] for j in jobs] == sorted(j["eta"] for j in jobs)
    first = jobs[0]
    assert first["facility"]["name"] and first["facility"]["pincode"] == "110029"
    assert first["facility"]["lat"] and first["facility"]["lon"]
    assert first["device"]["type"] == "CT" and first["device"]["serial"]
    assert first["fault"].startswith("CT-GAN-12")
    assert first["partsReserved"][0]["sku"] == "CT-SLIP-BRUSH"
    assert first["workflow"]["deviceType"] == "CT" and len(first["workflow"]["steps"]) >= 8
    assert first["slaDeadline"] and first["status"] != "resolved"


def test_another_day_or_a_bad_date(client, auth):
    empty = client.get("/api/v1/me/jobs", params={"date": "2020-01-01"}, headers=auth("technician"))
    bad = client.get("/api/v1/me/jobs", params={"date": "31-12-2026"}, headers=auth("technician"))

    assert empty.status_code == 200 and empty.json()["jobs"] == []
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "date"


def test_only_a_technician_has_jobs(client, auth):
    assert client.get("/api/v1/me/jobs", headers=auth("dispatcher")).status_code == 403
    assert client.get("/api/v1/me/jobs", headers=auth("buyer_admin")).status_code == 403


def test_a_reassigned_job_leaves_the_technicians_list(client, auth):
    crew = make_crew("CT-BRUSH-JOBS")
    kept, moved = crew.new_job(), crew.new_job()
    crew.reassign(moved)

    jobs = client.get("/api/v1/me/jobs", headers=auth(crew.technician_email, PASSWORD)).json()

    ids = [j["ticketId"] for j in jobs["jobs"]]
    assert str(kept) in ids and str(moved) not in ids


def test_every_required_device_type_has_a_checklist_of_every_kind(client, auth):
    listed = client.get("/api/v1/workflows", headers=auth("technician")).json()["workflows"]

    assert DEVICE_TYPES <= {w["deviceType"] for w in listed}
    kinds = {s["kind"] for w in listed for s in w["steps"]}
    assert kinds == {"pass_fail", "reading", "photo", "choice"}
    readings = [s for w in listed for s in w["steps"] if s["kind"] == "reading"]
    assert all(s["unit"] and ("min" in s or "max" in s) for s in readings)


def test_a_service_manager_publishes_a_version_and_started_jobs_keep_theirs(client, auth):
    crew = make_crew("CT-BRUSH-FLOW")
    started, fresh = crew.new_job(), crew.new_job()
    technician = auth(crew.technician_email, PASSWORD)
    answer = client.post(
        "/api/v1/sync/events:batch",
        headers=technician,
        json=batch(event("checklist.step", started, {"stepId": "tube-warmup", "value": "pass"})),
    )
    assert answer.json()["results"][0]["status"] == "applied"
    manager = Actor(
        None,
        crew.partner.tenant.id,
        TenantKind.SERVICE_PARTNER,
        frozenset({Role.OEM_SERVICE_MANAGER}),
        "Service manager",
    )
    definition = {
        "key": "ct",
        "deviceType": "CT",
        "name": "CT scanner service (2027)",
        "steps": [
            {"id": "tube-warmup", "kind": "pass_fail", "label": "Warm-up"},
            {"id": "dose-check", "kind": "reading", "label": "CTDIvol", "unit": "mGy", "max": 25},
        ],
    }
    with tenant_session(manager) as db:
        published = publish_workflow(db, manager, definition)
        version = published.version
    assert version >= 2

    jobs = {
        j["ticketId"]: j for j in client.get("/api/v1/me/jobs", headers=technician).json()["jobs"]
    }

    assert jobs[str(started)]["workflow"]["version"] == 1
    assert jobs[str(fresh)]["workflow"]["version"] == version
    assert jobs[str(fresh)]["workflow"]["name"] == "CT scanner service (2027)"


def test_publishing_through_the_api_needs_a_service_manager_and_a_sound_definition(client, auth):
    manager = auth("oem_service_manager")
    bad = client.post(
        "/api/v1/workflows",
        headers=manager,
        json={
            "key": "ventilator",
            "deviceType": "Ventilator",
            "name": "Ventilator",
            "steps": [{"id": "fio2", "kind": "reading", "label": "FiO2", "min": 70, "max": 60}],
        },
    )
    denied = client.post("/api/v1/workflows", headers=auth("technician"), json={})
    good = client.post(
        "/api/v1/workflows",
        headers=manager,
        json={
            "key": "ventilator",
            "deviceType": "Ventilator",
            "name": "Ventilator (OEM)",
            "steps": [
                {
                    "id": "fio2",
                    "kind": "reading",
                    "label": "FiO2",
                    "unit": "%",
                    "min": 57,
                    "max": 63,
                },
                {"id": "mode", "kind": "choice", "label": "Mode", "options": ["VC", "PC"]},
            ],
        },
    )

    assert bad.status_code == 400 and bad.json()["error"]["field"] == "steps[0].min"
    assert denied.status_code == 403
    assert good.status_code == 201 and good.json()["version"] == 2
    assert good.json()["source"] == "published"


@pytest.mark.parametrize("step,value", [("tube-warmup", "maybe"), ("table-movement", "Bumpy")])
def test_an_answer_that_does_not_fit_its_step_is_refused(client, auth, step, value):
    crew = make_crew(f"CT-BRUSH-{step[:4]}")
    ticket = crew.new_job()
    answer = client.post(
        "/api/v1/sync/events:batch",
        headers=auth(crew.technician_email, PASSWORD),
        json=batch(event("checklist.step", ticket, {"stepId": step, "value": value})),
    )

    result = answer.json()["results"][0]
    assert result["status"] == "rejected" and result["error"].startswith("payload.value")
