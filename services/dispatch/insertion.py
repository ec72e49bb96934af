"""Re-plans that disturb little: put new urgent work into today's routes by hand-sized moves.

When a P1 arrives, technicians are already on their way to today's stops. The least
disruptive plan that serves it in time is usually: slot it into one route where it fits,
or, when no route has room, let it bump that route's least urgent job (which stays open
for the next plan). Only when neither serves it within its deadline does the full search
reshape the day. The arithmetic mirrors the OR-Tools model exactly: service then travel
between stops, waiting for a window to open, the vehicle's working window and capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.dispatch.problem import Job, RoutingProblem, Vehicle


@dataclass(frozen=True)
class Insertion:
    routes: list[list[int]]
    bumped: int | None  # the job that made room, now left for the next plan
    added_minutes: int
    key: tuple = ()


def _route_ok(
    problem: RoutingProblem, vehicle: Vehicle, route: list[int], urgent: int
) -> int | None:
    """The lateness cost of `route` on `vehicle` when every stop is within its window, the
    urgent job within its deadline and the day within the shift; else None."""
    jobs = problem.jobs
    if sum(jobs[j].demand for j in route) > vehicle.capacity:
        return None
    clock, here, service, late = vehicle.earliest, vehicle.start, 0, 0
    for j in route:
        job: Job = jobs[j]
        clock = max(clock + service + problem.time[here][job.node], job.earliest)
        if clock > job.latest:
            return None
        if job.soft_latest is not None and clock > job.soft_latest:
            if j == urgent:
                return None
            late += (clock - job.soft_latest) * job.late_cost
        service, here = job.service, job.node
    clock += service + problem.time[here][vehicle.end]
    return late if clock <= vehicle.latest else None


def _length(problem: RoutingProblem, vehicle: Vehicle, route: list[int]) -> int:
    nodes = [vehicle.start, *(problem.jobs[j].node for j in route), vehicle.end]
    return sum(problem.time[a][b] for a, b in zip(nodes, nodes[1:], strict=False))


def insert_urgent(
    problem: RoutingProblem, routes: list[list[int]], urgent: int
) -> Insertion | None:
    """Today's `routes` with job `urgent` slotted in within its deadline, bumping at most
    one less urgent, unpinned job; None when no route can take it so."""
    job = problem.jobs[urgent]
    vehicles = job.allowed if job.allowed is not None else range(len(problem.vehicles))
    best: Insertion | None = None
    for v in vehicles:
        if v >= len(routes):
            continue
        vehicle, route = problem.vehicles[v], routes[v]
        base = _length(problem, vehicle, route)
        base_late = _route_ok(problem, vehicle, route, urgent) or 0
        under_way = next(
            (i for i, j in enumerate(route) if problem.jobs[j].pinned is None), len(route)
        )
        candidates = [(None, route)] + [
            (b, [j for j in route if j != b])
            for b in route
            if problem.jobs[b].pinned is None and problem.jobs[b].drop_penalty < job.drop_penalty
        ]
        for bumped, rest in candidates:
            first = min(under_way, len(rest))  # stops under way stay first
            for at in range(first, len(rest) + 1):
                trial = rest[:at] + [urgent] + rest[at:]
                late = _route_ok(problem, vehicle, trial, urgent)
                if late is None:
                    continue
                added = _length(problem, vehicle, trial) - base
                penalty = 0 if bumped is None else problem.jobs[bumped].drop_penalty
                # fewest bumps, then the cheapest by the model's own costs
                key = (bumped is not None, penalty + max(0, late - base_late) + added)
                if best is None or key < best.key:
                    best = Insertion([*routes[:v], trial, *routes[v + 1 :]], bumped, added, key)
            if best is not None and best.bumped is None:
                break  # a slot without bumping anyone beats any bump on this route
    return best


def insert_all(problem: RoutingProblem, routes: list[list[int]]) -> list[list[int]] | None:
    """Today's routes with every unplanned job of the top priority slotted in (most
    valuable first); None when one of them finds no place in time."""
    planned = {j for route in routes for j in route}
    if not planned:
        return None
    top = (
        max(problem.jobs[j].drop_penalty for j in planned if problem.jobs[j].pinned is None)
        if any(problem.jobs[j].pinned is None for j in planned)
        else 0
    )
    urgent = sorted(
        (
            k
            for k, job in enumerate(problem.jobs)
            if k not in planned and job.previous is None and job.drop_penalty >= top
        ),
        key=lambda k: -problem.jobs[k].drop_penalty,
    )
    if not urgent:
        return None
    for k in urgent:
        found = insert_urgent(problem, routes, k)
        if found is None:
            return None
        routes = found.routes
    return routes
