"""P1 first, whatever the search found: a plan never leaves a P1 out while a route that
could take it carries lower-priority work.

The search weighs a P1 far above anything else, but a time-limited search can still end
where putting the P1 in needs two steps at once (take a P3 out of the route, then fit the
P1). This pass makes those steps itself: for each P1 left out, on each technician allowed
to take it, it takes out the least valuable lower jobs (never a stop under way) until the
P1 fits within the hard limits (the site's hours, the shift, the capacity), keeps the
cheapest way by what is bumped, then lateness, then added travel, and finally tries each
bumped job in any route where it still fits. Timings follow the routing model: service,
then travel, waiting for a window to open. Lateness past an SLA deadline is allowed and
costed; it never makes a P1 unplannable.
"""

from __future__ import annotations

from dataclasses import replace

from services.dispatch.problem import RoutingProblem, Solution, Stop


def timed(problem: RoutingProblem, v: int, route: list[int]) -> list[Stop] | None:
    """Start times of `route` on vehicle `v`, or None when it breaks a hard limit."""
    vehicle, jobs = problem.vehicles[v], problem.jobs
    if sum(jobs[j].demand for j in route) > vehicle.capacity:
        return None
    clock, here, service, stops = vehicle.earliest, vehicle.start, 0, []
    for j in route:
        job = jobs[j]
        if job.allowed is not None and v not in job.allowed:
            return None
        clock = max(clock + service + problem.time[here][job.node], job.earliest)
        if clock > job.latest:
            return None
        stops.append(Stop(j, clock))
        service, here = job.service, job.node
    if clock + service + problem.time[here][vehicle.end] > vehicle.latest:
        return None
    return stops


def _late(problem: RoutingProblem, stops: list[Stop]) -> int:
    cost = 0
    for stop in stops:
        job = problem.jobs[stop.job]
        if job.soft_latest is not None and stop.start > job.soft_latest:
            cost += (stop.start - job.soft_latest) * job.late_cost
    return cost


def _length(problem: RoutingProblem, v: int, route: list[int]) -> int:
    vehicle = problem.vehicles[v]
    nodes = [vehicle.start, *(problem.jobs[j].node for j in route), vehicle.end]
    return sum(problem.time[a][b] for a, b in zip(nodes, nodes[1:], strict=False))


def _best_slot(
    problem: RoutingProblem, v: int, route: list[int], k: int
) -> tuple[tuple, list[int]] | None:
    """The cheapest position for job `k` in `route` (after the stops under way)."""
    first = sum(1 for j in route if problem.jobs[j].pinned is not None)
    best = None
    for at in range(first, len(route) + 1):
        trial = route[:at] + [k] + route[at:]
        stops = timed(problem, v, trial)
        if stops is None:
            continue
        key = (_late(problem, stops), _length(problem, v, trial))
        if best is None or key < best[0]:
            best = (key, trial)
    return best


def _place_p1(
    problem: RoutingProblem, routes: list[list[int]], k: int
) -> tuple[int, list[int], list[int]] | None:
    """(vehicle, new route, bumped jobs) putting P1 job `k` in most cheaply; None when no
    allowed route can take it even emptied of lower work."""
    job = problem.jobs[k]
    vehicles = job.allowed if job.allowed is not None else range(len(problem.vehicles))
    best = None
    for v in vehicles:
        route = routes[v]
        lower = sorted(
            (j for j in route if problem.jobs[j].pinned is None),
            key=lambda j: (problem.jobs[j].drop_penalty, -problem.jobs[j].service),
        )
        lower = [j for j in lower if problem.jobs[j].drop_penalty < job.drop_penalty]
        for n in range(len(lower) + 1):
            bumped = lower[:n]
            found = _best_slot(problem, v, [j for j in route if j not in bumped], k)
            if found is None:
                continue
            lost = sum(problem.jobs[j].drop_penalty for j in bumped)
            key = (lost, *found[0])
            if best is None or key < best[0]:
                best = (key, v, found[1], bumped)
            break
    return None if best is None else best[1:]


def keep_p1(problem: RoutingProblem, solution: Solution, p1_penalty: int) -> Solution:
    """`solution` with every P1 (a job whose drop penalty is at least `p1_penalty`) that
    some allowed route can take put in, bumping lower work where needed; unchanged when
    the search already left no such P1 out."""
    left = [k for k in solution.unserved if problem.jobs[k].drop_penalty >= p1_penalty]
    if not left:
        return solution
    routes = [[s.job for s in route] for route in solution.routes]
    unserved = [k for k in solution.unserved if k not in left]
    changed = set()
    for k in sorted(left, key=lambda k: problem.jobs[k].soft_latest or 0):
        placed = _place_p1(problem, routes, k)
        if placed is None:
            unserved.append(k)
            continue
        v, routes[v], bumped = placed
        changed.add(v)
        for j in bumped:
            home = _rehome(problem, routes, j)
            if home is None:
                unserved.append(j)
            else:
                changed.add(home)
    timed_routes = [
        timed(problem, v, route) if v in changed else solution.routes[v]
        for v, route in enumerate(routes)
    ]
    return replace(
        solution,
        routes=[stops or [] for stops in timed_routes],
        unserved=sorted(unserved),
        rounds=[*solution.rounds, {"round": "P1 first", "objective": solution.objective}],
    )


def _rehome(problem: RoutingProblem, routes: list[list[int]], j: int) -> int | None:
    """Put a bumped job where it fits best without bumping anything; its vehicle or None."""
    job = problem.jobs[j]
    vehicles = job.allowed if job.allowed is not None else range(len(problem.vehicles))
    best = None
    for v in vehicles:
        found = _best_slot(problem, v, routes[v], j)
        if found is not None:
            added = found[0][1] - _length(problem, v, routes[v])
            key = (found[0][0], added)
            if best is None or key < best[0]:
                best = (key, v, found[1])
    if best is None:
        return None
    routes[best[1]] = best[2]
    return best[1]
