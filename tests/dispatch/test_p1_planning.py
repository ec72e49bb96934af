"""A P1 is never dropped silently: jobs under a round-the-clock contract start now with a
technician on call, business-hours jobs wait for working hours, and a P1 "MRI down"
always wins the route over a P3 at the same hospital."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.db import tenant_session
from services.dispatch.dominance import keep_p1
from services.dispatch.models import Technician
from services.dispatch.planner import plan
from services.dispatch.problem import Job, RoutingProblem, Solution, Stop, Vehicle
from tests.dispatch.p1_world import (
    IST,
    add_technician,
    make_world,
    open_at_site,
    stops_of,
    tomorrow_at,
)


def _eta(stop: dict) -> datetime:
    return datetime.fromisoformat(stop["eta"]).astimezone(IST)


def test_a_round_the_clock_job_starts_now_with_a_technician_on_call():
    world = make_world()
    tech = add_technician(world, "Arjun Rao", ["MRI", "Ultrasound"], on_call=True)
    p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    p3 = open_at_site(world, "MVI-US9", "silver", "P3", "Probe shows dropout")
    night = tomorrow_at(22)
    with tenant_session(world.partner.actor) as db:
        result = plan(db, start=night, seconds=2)
    stops = stops_of(result)
    # The 24x7 P1 is planned tonight, within the hour; the business-hours P3 waits for 09:00.
    assert _eta(stops[p1]) < night + timedelta(hours=1)
    assert _eta(stops[p3]) >= (night + timedelta(days=1)).replace(hour=9, minute=0)
    assert next(r for r in result["routes"] if r["technicianId"] == str(tech))["onCall"]


def test_without_anyone_on_call_the_job_waits_for_the_shift():
    world = make_world()
    tech = add_technician(world, "Arjun Rao", ["MRI"], on_call=False)
    p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    night = tomorrow_at(22)
    with tenant_session(world.partner.actor) as db:
        waiting = plan(db, start=night, seconds=2)
        db.get(Technician, tech).on_call = True
        db.flush()
        now = plan(db, start=night, seconds=2)
    assert _eta(stops_of(waiting)[p1]).hour == 9
    assert _eta(stops_of(now)[p1]) < night + timedelta(hours=1)


def test_a_new_p1_mri_down_wins_the_route_over_a_p3_at_the_same_hospital():
    world = make_world()
    add_technician(world, "Arjun Rao", ["MRI", "Ultrasound"], shift=(9, 18))
    p3 = open_at_site(world, "MVI-US9", "gold", "P3", "Probe shows dropout")
    p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    # 14:20: 220 minutes of shift left, room for the MRI (150) or the ultrasound, not both.
    with tenant_session(world.partner.actor) as db:
        result = plan(db, start=tomorrow_at(14, 20), seconds=2)
    stops = stops_of(result)
    assert p1 in stops
    assert p3 not in stops
    left = {u["ticketId"]: u["reason"] for u in result["unassigned"]}
    assert left[p3].startswith("no room today")


def test_p1_first_puts_back_a_p1_the_search_left_out_by_bumping_the_p3():
    # Depot 0, one site (node 2): one 240-minute day fits the P1 (150) or the P3 (60) plus
    # a second P3, not the P1 with either.
    time = [[0, 0, 20, 20], [0, 0, 20, 20], [20, 20, 0, 0], [20, 20, 0, 0]]
    p1 = Job(node=2, service=150, earliest=0, latest=240, demand=1, drop_penalty=5 * 10**9)
    p3 = Job(node=3, service=60, earliest=0, latest=240, demand=1, drop_penalty=10**6)
    problem = RoutingProblem(time, [p1, p3], [Vehicle(0, 1, 0, 200)])
    searched = Solution([[Stop(1, 20)]], [0], objective=5 * 10**9, arc_cost=40, seconds=0.1)
    kept = keep_p1(problem, searched, 5 * 10**9)
    assert [s.job for s in kept.routes[0]] == [0]
    assert kept.routes[0][0].start == 20
    assert kept.unserved == [1]


def test_a_p1_no_route_can_take_says_so_and_points_to_the_next_steps():
    world = make_world()
    add_technician(world, "Arjun Rao", ["MRI"], shift=(9, 18))
    p1 = open_at_site(world, "MVI-MR15", "gold", "P1", "MRI down: helium alarm")
    # 16:30: 90 minutes of shift left, too little for 150 minutes on an MRI.
    with tenant_session(world.partner.actor) as db:
        result = plan(db, start=tomorrow_at(16, 30), seconds=2)
    left = {u["ticketId"]: u["reason"] for u in result["unassigned"]}
    assert left[p1].startswith("no route can take it") and "next steps" in left[p1]
