"""The routing core: skills, time windows, priorities under scarce capacity, pinned
jobs, both in the full solve and in its search engine alone; and Solomon instances solved
to valid plans: the best-known fleet on C101, everyone served on a tight RC101 fleet."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.dispatch import hgs
from services.dispatch.problem import Job, RoutingProblem, Vehicle
from services.dispatch.routing import solve
from services.dispatch.solomon import evaluate, read_instance, to_problem

SOLOMON = Path(__file__).resolve().parents[3] / "shared" / "bench" / "solomon"


def _line(n: int) -> list[list[int]]:
    """Nodes on a line, 10 minutes apart."""
    return [[abs(a - b) * 10 for b in range(n)] for a in range(n)]


def test_a_job_goes_only_to_a_technician_with_the_skill():
    # Vehicle 0 sits on the job; only vehicle 1 may do it.
    problem = RoutingProblem(
        _line(3),
        [Job(node=2, service=30, earliest=0, latest=600, allowed=(1,))],
        [Vehicle(1, 1, 0, 600), Vehicle(0, 0, 0, 600)],
    )
    routes = solve(problem, 1, tighten_fleet=False).routes
    assert [len(r) for r in routes] == [0, 1]


def test_service_starts_inside_every_window():
    jobs = [Job(node=1 + k, service=20, earliest=60 * k, latest=60 * k + 15) for k in range(4)]
    problem = RoutingProblem(_line(5), jobs, [Vehicle(0, 0, 0, 600)])
    solution = solve(problem, 1, tighten_fleet=False)
    assert not solution.unserved
    for stop in solution.routes[0]:
        job = jobs[stop.job]
        assert job.earliest <= stop.start <= job.latest


def test_under_scarce_capacity_a_p1_is_served_before_a_p4():
    jobs = [
        Job(node=1, service=300, earliest=0, latest=600, drop_penalty=50_000),  # P4
        Job(node=2, service=300, earliest=0, latest=600, drop_penalty=5_000_000),
    ]  # P1
    problem = RoutingProblem(_line(3), jobs, [Vehicle(0, 0, 0, 400)])
    solution = solve(problem, 1, tighten_fleet=False)
    assert [s.job for s in solution.routes[0]] == [1] and solution.unserved == [0]


def test_a_pinned_job_stays_with_its_technician():
    # Vehicle 1 waits next to the job, but vehicle 0 has it in hand.
    jobs = [
        Job(node=1, service=10, earliest=0, latest=600, pinned=0),
        Job(node=2, service=10, earliest=0, latest=600),
    ]
    problem = RoutingProblem(_line(5), jobs, [Vehicle(4, 4, 0, 600), Vehicle(0, 0, 0, 600)])
    routes = solve(problem, 1, tighten_fleet=False).routes
    assert 0 in [s.job for s in routes[0]] and 0 not in [s.job for s in routes[1]]


@pytest.mark.skipif(not SOLOMON.exists(), reason="the Solomon instances are not on this machine")
def test_solomon_c101_gets_a_valid_plan_with_the_best_known_fleet():
    inst = read_instance(SOLOMON / "C101.100.10.vrptw")
    result = evaluate(inst, solve(to_problem(inst), 3))  # evaluate checks every window
    assert result["unserved"] == 0 and result["vehicles"] == 10


def _arrivals(problem: RoutingProblem, v: int, route: list[int]) -> list[int]:
    """Start of service at each stop of vehicle v's route, leaving as early as allowed."""
    clock, here, starts = problem.vehicles[v].earliest, problem.vehicles[v].start, []
    for k in route:
        job = problem.jobs[k]
        clock = max(clock + problem.time[here][job.node], job.earliest)
        starts.append(clock)
        clock, here = clock + job.service, job.node
    return starts


def test_the_search_engine_keeps_skills_and_windows():
    # Twelve jobs on a line, two technicians at either end; odd jobs need technician 1's
    # skill, and each job has a one-hour window.
    jobs = [
        Job(
            node=2 + k,
            service=15,
            earliest=40 * k,
            latest=40 * k + 60,
            allowed=(1,) if k % 2 else None,
            drop_penalty=10**6,
        )
        for k in range(12)
    ]
    problem = RoutingProblem(_line(14), jobs, [Vehicle(0, 0, 0, 900), Vehicle(13, 13, 0, 900)])
    found = hgs.search(problem, 1)
    assert found is not None
    served = sorted(k for route in found.routes for k in route)
    assert served == list(range(12))
    assert all(k % 2 == 0 for k in found.routes[0])
    for v, route in enumerate(found.routes):
        for k, start in zip(route, _arrivals(problem, v, route), strict=True):
            assert start <= jobs[k].latest, (v, k, start)


@pytest.mark.skipif(not SOLOMON.exists(), reason="the Solomon instances are not on this machine")
def test_solomon_rc101_serves_every_customer_within_its_tight_fleet():
    inst = read_instance(SOLOMON / "RC101.100.15.vrptw")
    result = evaluate(inst, solve(to_problem(inst), 3))
    assert result["unserved"] == 0 and result["vehicles"] <= inst.vehicles
