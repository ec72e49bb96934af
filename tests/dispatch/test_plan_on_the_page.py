"""What the dispatcher reads and decides on a plan: whether it is still true (stale), who
could take a ticket (the picker), and what to do about a P1 no route can take."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from services.db import system_session, tenant_session
from services.dispatch.freshness import plan_changes
from services.dispatch.models import DispatchPlan, Technician
from services.dispatch.next_steps import apply_next_step, next_steps
from services.dispatch.picker import technician_choices
from services.dispatch.service import accept_plan, request_plan, run_plan
from services.errors import Conflict
from services.geo.coverage import save_service_area
from tests.dispatch.p1_world import (
    IST,
    World,
    add_technician,
    make_world,
    open_at_site,
    stops_of,
    tomorrow_at,
)
from tests.factories import PASSWORD


def _planned(world: World, start: datetime) -> uuid.UUID:
    with tenant_session(world.partner.actor) as db:
        plan_id = request_plan(db, world.partner.actor, 2, start).id
    assert run_plan(world.partner.actor, plan_id) == "ready"
    return plan_id


def _north_hub(world: World) -> uuid.UUID:
    with tenant_session(world.partner.actor) as db:
        return save_service_area(
            db,
            world.partner.actor,
            name=f"North Delhi {uuid.uuid4().hex[:4]}",
            hub_pincode="110085",
            radius_km=25,
            max_response_time_hours=4,
        ).id


def _events(name: str, entity_id: str) -> int:
    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM outbox_event WHERE name = :n AND entity_id = :e"),
            {"n": name, "e": entity_id},
        ).scalar_one()


def test_a_plan_says_when_it_was_made_and_turns_stale_when_tickets_or_technicians_change(
    client, auth
):
    world = make_world()
    tech = add_technician(world, "Arjun Rao", ["Ultrasound", "MRI"])
    open_at_site(world, "MVI-US9", "gold", "P3", "Probe shows dropout")
    plan_id = _planned(world, datetime.now(IST) + timedelta(minutes=1))
    with tenant_session(world.partner.actor) as db:
        fresh = plan_changes(db, db.get(DispatchPlan, plan_id))
    assert fresh["stale"] is False and fresh["madeAt"]
    new_p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    with tenant_session(world.partner.actor) as db:
        db.get(Technician, tech).status = "off"
        db.flush()
        changed = plan_changes(db, db.get(DispatchPlan, plan_id))
        number = db.execute(text("SELECT number FROM ticket WHERE id = :t"), {"t": new_p1})
        number = number.scalar_one()
    assert changed["stale"] is True
    assert changed["opened"] == [{"number": number, "priority": "P1"}]
    assert changed["technicians"] == [{"name": "Arjun Rao", "change": "now off"}]
    body = client.get(
        f"/api/v1/dispatch/plans/{plan_id}", headers=auth(world.partner.email, PASSWORD)
    ).json()
    assert body["changes"]["stale"] is True and body["changes"]["opened"][0]["number"] == number


def test_the_picker_lists_each_technician_once_best_fit_first_and_tells_namesakes_apart():
    world = make_world()
    north = _north_hub(world)
    add_technician(world, "Arjun Rao", ["Ultrasound", "MRI"])
    add_technician(world, "Arjun Rao", ["Ultrasound"], hub_id=north)
    add_technician(world, "Meena Iyer", ["Ultrasound"], employee_code="KSP-0042")
    add_technician(world, "Meena Iyer", ["Ultrasound"], phone="+919812344321")
    add_technician(world, "Kabir Shah", ["CT"])
    ticket = open_at_site(world, "MVI-US9", "gold", "P3", "Probe shows dropout")
    plan_id = _planned(world, tomorrow_at(10))
    with tenant_session(world.partner.actor) as db:
        choices = technician_choices(db, world.partner.actor, plan_id, ticket)
    ids = [c["technicianId"] for c in choices]
    assert len(ids) == len(set(ids)) == 4  # everyone but the one who has it, once
    assert choices[-1]["name"] == "Kabir Shah" and not choices[-1]["skilled"]
    assert any("not skilled for Ultrasound" in b for b in choices[-1]["breaks"])
    skilled = choices[:-1]
    assert skilled == sorted(
        skilled, key=lambda c: (len(c["breaks"]), c["lateMinutes"], c["etaAt"])
    )
    names = [c["name"] for c in choices]
    assert len(names) == len(set(names))
    for c in choices:
        assert c["hub"] and c["skills"] and c["load"].endswith("/6") and c["eta"]
    arjuns = [n for n in names if n.startswith("Arjun Rao")]
    meenas = [n for n in names if n.startswith("Meena Iyer")]
    assert all("(" in n for n in arjuns + meenas)
    assert any("North Delhi" in n for n in arjuns) or any("South Delhi" in n for n in arjuns)
    assert any("KSP-0042" in n for n in meenas) or any("…4321" in n for n in meenas)


def test_a_p1_no_route_can_take_gets_next_steps_with_their_consequences():
    world = make_world()
    north = _north_hub(world)
    add_technician(world, "Arjun Rao", ["MRI"], shift=(9, 18))
    start = tomorrow_at(16, 30)  # Arjun has 90 minutes left; Bina is off today and tomorrow
    days_off = {start.weekday(), (start.weekday() + 1) % 7}
    works = [d for d in range(7) if d not in days_off]
    bina = str(add_technician(world, "Bina Das", ["MRI"], hub_id=north, workdays=works))
    p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    plan_id = _planned(world, start)
    actor = world.partner.actor
    with tenant_session(actor) as db:
        steps = next_steps(db, actor, plan_id)
    assert [s["ticketId"] for s in steps] == [p1]
    options = {o["action"]: o for o in steps[0]["options"]}
    assert options.keys() == {"call_out", "other_hub", "assign_anyway", "tell_oem"}
    call = options["call_out"]
    assert call["technicianId"] == bina and "Bina Das" in call["title"]
    assert call["eta"] and call["late"] and call["moves"]
    assert options["other_hub"]["technicianId"] == bina  # the nearest hub is South Delhi's
    assert options["assign_anyway"]["breaks"]  # Arjun's shift, or Bina's hours
    with tenant_session(actor) as db:
        said = apply_next_step(db, actor, plan_id, p1, "tell_oem")
    assert "OEM is told" in said and _events("DispatchOemAlerted", p1) == 1
    with pytest.raises(Conflict), tenant_session(actor) as db:
        apply_next_step(db, actor, plan_id, p1, "tell_oem")
    with tenant_session(actor) as db:
        said = apply_next_step(db, actor, plan_id, p1, "call_out", bina)
        record = db.get(DispatchPlan, plan_id)
        stop = stops_of({"routes": record.routes})[p1]
        assert stop["technicianId"] == bina and "called out" in said
        assert datetime.fromisoformat(stop["eta"]) < start + timedelta(hours=2)
        # Still past the deadline of a ticket opened a day earlier: offered, but as Bina's,
        # and only what would reach it sooner than she does.
        remaining = next_steps(db, actor, plan_id)
        assert all(s.get("holder") == bina for s in remaining)
        for step in remaining:
            for option in step["options"]:
                assert option["action"] != "assign_anyway"
                if option.get("etaAt"):
                    assert option["etaAt"] < step["eta"]
    with tenant_session(actor) as db:
        accept_plan(db, actor, plan_id, acknowledge_p1=True)
    assert _events("DispatchCalledOut", bina) == 1


def test_accepting_a_plan_with_a_late_p1_needs_an_acknowledgement():
    world = make_world()
    add_technician(world, "Arjun Rao", ["MRI"], shift=(9, 18))
    p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    plan_id = _planned(world, tomorrow_at(10))  # 30 minutes to respond, planned tomorrow
    actor = world.partner.actor
    with pytest.raises(Conflict) as refused, tenant_session(actor) as db:
        accept_plan(db, actor, plan_id)
    assert "P1 #" in refused.value.message and "min late with Arjun Rao" in refused.value.message
    with tenant_session(actor) as db:
        assert accept_plan(db, actor, plan_id, acknowledge_p1=True) == 1
    assert _events("DispatchP1Acknowledged", str(plan_id)) == 1
    with system_session() as db:
        status = db.execute(text("SELECT status FROM ticket WHERE id = :t"), {"t": p1})
        assert status.scalar_one() == "assigned"


def test_the_api_gives_the_picker_and_the_next_steps_and_refuses_a_bad_step(client, auth):
    world = make_world()
    add_technician(world, "Arjun Rao", ["MRI"], shift=(9, 18))
    p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    plan_id = _planned(world, tomorrow_at(16, 30))  # 90 minutes left: the P1 is left out
    headers = auth(world.partner.email, PASSWORD)
    url = f"/api/v1/dispatch/plans/{plan_id}"
    picker = client.get(f"{url}/technicians", params={"ticketId": p1}, headers=headers)
    assert picker.status_code == 200, picker.text
    assert [t["name"] for t in picker.json()["technicians"]] == ["Arjun Rao"]
    steps = client.get(f"{url}/next-steps", headers=headers).json()["p1"]
    assert [s["ticketId"] for s in steps] == [p1]
    bad = client.post(f"{url}/next-steps", headers=headers, json={"ticketId": p1, "action": "x"})
    assert bad.status_code == 400
    told = client.post(
        f"{url}/next-steps", headers=headers, json={"ticketId": p1, "action": "tell_oem"}
    )
    assert told.status_code == 200 and "OEM is told" in told.json()["message"]
    again = client.post(
        f"{url}/next-steps", headers=headers, json={"ticketId": p1, "action": "tell_oem"}
    )
    assert again.status_code == 409
    refused = client.get(f"{url}/next-steps", headers=auth("buyer_admin"))
    assert refused.status_code == 403
