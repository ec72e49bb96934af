"""A P1 that opens on a day with an accepted plan is proposed into today's routes by the
workers within a minute; the dispatcher accepts it with one click (the technician's phone
then lists it, the hospital hears) or rejects it (today's plan stays as it was). Tickets
of a burst share one proposal; one that cannot be slotted in is explained."""

from __future__ import annotations

import time
import uuid
from datetime import time as clock
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.db import system_session, tenant_session
from services.dispatch.models import DispatchPlan
from services.dispatch.urgent import propose_slot_in
from services.notifications.service import inbox
from services.sla.models import SlaPolicy
from services.sla.service import default_targets
from services.tickets.service import open_ticket
from tests.factories import PASSWORD
from tests.field.crew import make_crew
from tests.outbox import relay
from tests.workers import celery_running


def _round_the_clock(crew) -> None:
    """Both technicians work all day, every day, under a round-the-clock contract, so the
    test holds at any hour (a business-hours day may have ended)."""
    with system_session() as db:
        db.add(
            SlaPolicy(
                tenant_id=crew.partner.tenant.id,
                name="Round the clock",
                tier="silver",
                round_the_clock=True,
                targets=default_targets("silver"),
            )
        )
        db.execute(
            text(
                "UPDATE technician SET shift_start = :s, shift_end = :e, on_call = true, "
                "workdays = '{0,1,2,3,4,5,6}' WHERE tenant_id = :t"
            ),
            {"s": clock(0, 0), "e": clock(23, 59), "t": crew.partner.tenant.id},
        )


def _p1(crew, what: str) -> uuid.UUID:
    hospital = crew.hospital.actor
    with tenant_session(hospital) as db:
        return open_ticket(db, hospital, crew.device_id, "P1", "CT-ARC-1", what).id


def _proposal(crew, ticket_id: uuid.UUID, timeout: float) -> DispatchPlan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tenant_session(crew.partner.actor) as db:
            found = db.exec(
                select(DispatchPlan).where(
                    DispatchPlan.params["trigger"]["ticketId"].astext == str(ticket_id),
                    DispatchPlan.status != "running",
                )
            ).first()
            if found is not None and "proposal" in found.params:
                return found
        time.sleep(0.5)
    pytest.fail("no proposal within a minute of the P1 opening")


def _holders_jobs(client, auth, ticket_id: uuid.UUID) -> list[str]:
    """The jobs on the phone of the technician the ticket was given to."""
    with system_session() as db:
        email = db.execute(
            text(
                "SELECT u.email FROM ticket t JOIN technician h ON h.id = t.technician_id "
                "JOIN users u ON u.id = h.user_id WHERE t.id = :t"
            ),
            {"t": ticket_id},
        ).scalar_one()
    phone = client.get("/api/v1/me/jobs", headers=auth(email, PASSWORD)).json()
    return [j["ticketId"] for j in phone["jobs"]]


def _notices(crew, wanted: str, timeout: float, reader=None) -> list[str]:
    """The dispatcher's (or `reader`'s) notice titles, once one says `wanted` (or the time
    is up)."""
    reader = reader or crew.partner.actor
    deadline = time.monotonic() + timeout
    while True:
        with tenant_session(reader) as db:
            titles = [n["title"] for n in inbox(db, reader, limit=20)[0]]
        if any(wanted in t for t in titles) or time.monotonic() > deadline:
            return titles
        time.sleep(0.5)


def test_a_p1_is_proposed_into_todays_routes(client, auth):
    crew = make_crew("CT-URGENT-BRUSH")
    _round_the_clock(crew)
    planned = crew.new_job()  # a P2 on the technician's accepted route for today

    p1 = _p1(crew, "Tube arcing; scans stopped")
    propose_slot_in(crew.partner.tenant.id, p1)
    plan = _proposal(crew, p1, timeout=5)
    relay()  # the dispatchers' notice, from the outbox
    titles = _notices(crew, "slotted into today's routes", timeout=5)

    said = plan.params["proposal"]
    assert plan.status == "ready" and said["fits"], said
    stops = [s["ticketId"] for r in plan.routes for s in r["stops"]]
    assert str(p1) in stops and str(planned) in stops  # slotted in, nobody bumped
    assert said["bumped"] == [] and f"#{plan.params['trigger']['number']}" in said["text"]
    assert any("slotted into today's routes" in t for t in titles), titles

    dispatcher = auth(crew.partner.email, PASSWORD)
    accepted = client.post(f"/api/v1/dispatch/plans/{plan.id}/accept", json={}, headers=dispatcher)
    assert accepted.status_code == 200, accepted.text
    assert str(p1) in _holders_jobs(client, auth, p1)


def test_a_rejected_proposal_leaves_the_accepted_plan(client, auth):
    crew = make_crew("CT-URGENT-BRUSH-2")
    _round_the_clock(crew)
    crew.new_job()
    p1 = _p1(crew, "Gantry will not rotate")
    propose_slot_in(crew.partner.tenant.id, p1)
    plan = _proposal(crew, p1, timeout=5)

    technician = auth(crew.technician_email, PASSWORD)
    refused = client.post(f"/api/v1/dispatch/plans/{plan.id}/reject", headers=technician)
    assert refused.status_code == 403
    dispatcher = auth(crew.partner.email, PASSWORD)
    rejected = client.post(f"/api/v1/dispatch/plans/{plan.id}/reject", headers=dispatcher)
    assert rejected.status_code == 200 and rejected.json()["status"] == "superseded"
    again = client.post(f"/api/v1/dispatch/plans/{plan.id}/accept", json={}, headers=dispatcher)
    assert again.status_code == 409
    phone = client.get("/api/v1/me/jobs", headers=technician).json()
    assert str(p1) not in [j["ticketId"] for j in phone["jobs"]]


def test_the_workers_propose_a_new_p1_within_a_minute(client, auth, tmp_path: Path):
    crew = make_crew("CT-URGENT-WORKER")
    _round_the_clock(crew)
    planned = crew.new_job()

    with celery_running(tmp_path):
        p1 = _p1(crew, "Tube arcing; scans stopped")  # nobody asks: the outbox relay does
        plan = _proposal(crew, p1, timeout=60)
        titles = _notices(crew, "slotted into today's routes", timeout=30)
        assert any("slotted into today's routes" in t for t in titles), titles

        dispatcher = auth(crew.partner.email, PASSWORD)
        accepted = client.post(
            f"/api/v1/dispatch/plans/{plan.id}/accept", json={}, headers=dispatcher
        )
        assert accepted.status_code == 200, accepted.text
        hospital = _notices(crew, "engineer is on the way", 30, crew.hospital.actor)

    said = plan.params["proposal"]
    assert plan.status == "ready" and said["fits"] and said["bumped"] == [], said
    assert {str(p1), str(planned)} <= {s["ticketId"] for r in plan.routes for s in r["stops"]}
    assert any(f"#{said['ticket'].split('#')[1]}" in t for t in hospital), hospital
    assert str(p1) in _holders_jobs(client, auth, p1)


def test_a_burst_of_urgent_tickets_shares_one_proposal(client, auth):
    crew = make_crew("CT-URGENT-BURST")
    _round_the_clock(crew)
    crew.new_job()
    first, second = _p1(crew, "No image"), _p1(crew, "Couch stuck")

    made = {propose_slot_in(crew.partner.tenant.id, t) for t in (second, first, second)}

    assert len(made) == 1  # one run slotted both; the later ones found it
    plan = _proposal(crew, first, timeout=5)
    stops = {s["ticketId"] for r in plan.routes for s in r["stops"]}
    assert {str(first), str(second)} <= stops
    assert plan.params["proposal"]["text"].count("proposed as stop") == 2


def test_a_ticket_that_cannot_be_slotted_in_is_explained(client, auth):
    crew = make_crew("CT-URGENT-NOFIT")
    _round_the_clock(crew)
    crew.new_job()
    with system_session() as db:  # nobody on shift can mend a CT any more
        db.execute(
            text("UPDATE technician SET skills = '[\"MRI\"]' WHERE tenant_id = :t"),
            {"t": crew.partner.tenant.id},
        )
    p1 = _p1(crew, "Gantry will not rotate")

    propose_slot_in(crew.partner.tenant.id, p1)
    relay()

    plan = _proposal(crew, p1, timeout=5)
    assert plan.status == "superseded"  # nothing for the dispatcher to accept
    assert (
        "no technician working today or tomorrow is skilled for CT"
        in (plan.params["proposal"]["text"])
    )
    titles = _notices(crew, "does not fit today's routes", timeout=5)
    assert any("does not fit today's routes" in t for t in titles), titles


def test_a_later_urgent_ticket_joins_the_waiting_proposal(client, auth):
    crew = make_crew("CT-URGENT-LATER")
    _round_the_clock(crew)
    crew.new_job()
    first = _p1(crew, "No image")
    earlier = propose_slot_in(crew.partner.tenant.id, first)
    second = _p1(crew, "Couch stuck")

    later = propose_slot_in(crew.partner.tenant.id, second)

    with tenant_session(crew.partner.actor) as db:
        old, new = db.get(DispatchPlan, earlier), db.get(DispatchPlan, later)
        assert old.status == "superseded" and new.status == "ready"  # one plan to decide on
        stops = {s["ticketId"] for r in new.routes for s in r["stops"]}
    assert {str(first), str(second)} <= stops
    assert propose_slot_in(crew.partner.tenant.id, first) == later
