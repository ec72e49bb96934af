"""A new urgent job is slotted into today's routes, bumping at most one less urgent job,
and never at the cost of its own deadline."""

from __future__ import annotations

from services.dispatch.insertion import insert_all, insert_urgent
from services.dispatch.problem import Job, RoutingProblem, Vehicle


def _problem(capacity: int, deadline: int = 600) -> RoutingProblem:
    # Node 0 is the depot; nodes 1-3 today's jobs on a line, node 4 the new P1.
    places = [0, 10, 20, 30, 15]
    time = [[abs(a - b) for b in places] for a in places]
    jobs = [
        Job(node=n, service=30, earliest=0, latest=1000, demand=1, drop_penalty=pen, previous=0)
        for n, pen in ((1, 200_000), (2, 50_000), (3, 1_000_000))
    ]
    jobs.append(
        Job(
            node=4,
            service=30,
            earliest=0,
            latest=1000,
            demand=1,
            drop_penalty=5_000_000,
            soft_latest=deadline,
            late_cost=5_000,
        )
    )
    return RoutingProblem(time, jobs, [Vehicle(0, 0, 0, 1000, capacity)], move_cost=240)


def test_a_free_slot_takes_the_urgent_job_without_moving_anyone():
    found = insert_urgent(_problem(capacity=4), [[0, 1, 2]], urgent=3)
    assert found is not None and found.bumped is None
    assert sorted(found.routes[0]) == [0, 1, 2, 3]
    assert [j for j in found.routes[0] if j != 3] == [0, 1, 2]  # the rest keep their order


def test_a_full_route_bumps_its_least_urgent_job_only():
    found = insert_urgent(_problem(capacity=3), [[0, 1, 2]], urgent=3)
    assert found is not None and found.bumped == 1  # the P4-like job, not the P2 or P1
    assert sorted(found.routes[0]) == [0, 2, 3]


def test_no_slot_within_the_deadline_means_no_insertion():
    # The P1 is 15 minutes from the depot: a deadline at minute 5 cannot be met.
    assert insert_urgent(_problem(capacity=4, deadline=5), [[0, 1, 2]], urgent=3) is None
    assert insert_all(_problem(capacity=4, deadline=5), [[0, 1, 2]]) is None
