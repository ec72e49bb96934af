"""The search engine behind `routing.solve`: PyVRP's iterated local search (the successor
of its hybrid genetic search) on a routing problem.

A `RoutingProblem` becomes PyVRP data over the same node matrix: depots are the vehicles'
start and end nodes, clients are the jobs (service, window, demand, and a prize equal to
the drop penalty, so a job is left out only when serving it costs more). Vehicles that
differ in anything (nodes, shift, capacity, fixed cost, the jobs they may not take, the
jobs that would be moved onto them) get their own vehicle type. PyVRP has no per-client
vehicle restriction, so each distinct restriction gets its own matrix profile in which
the arcs into a forbidden job cost more than any prize; the same profile adds the move
cost on the arcs into a job that another vehicle has today.

Soft deadlines are searched as hard windows where they can still be met: the engine has
no lateness cost, and a plan that meets them is what the full model prefers anyway. Jobs
that the search then leaves out get their hard window back for the rest of the time, so
they are served late rather than not at all. Jobs on someone's plan today keep their
hard window, and leaving one out also costs the move. The search starts from a feasible
plan built in milliseconds (a local search that never breaks a window), so a first plan
is reported at once; `routing.solve` then judges and polishes the plan on the full model.

For a fleet to minimise (`minimise_fleet`), the search first finds a plan serving every
job, then drops one vehicle at a time, restarting from the last plan without its
shortest route, until a round finds no plan serving everyone; the time left improves
the distance with the smallest fleet found.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from pyvrp import (
    Client,
    CostEvaluator,
    Depot,
    Location,
    ProblemData,
    RandomNumberGenerator,
    Route,
    VehicleType,
)
from pyvrp import Solution as PyvrpSolution
from pyvrp import solve as pyvrp_solve
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks, IteratedLocalSearchParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)
from pyvrp.solve import SolveParams
from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria

from services.dispatch.problem import Progress, RoutingProblem

STRICT_PENALTY = 10**7  # per unit late or over capacity: more than any job is worth


@dataclass
class Translation:
    """PyVRP data for a problem and the way back: the problem's vehicle behind each slot
    of each vehicle type."""

    data: ProblemData
    type_vehicles: list[list[int]]


@dataclass
class Found:
    """Routes (job indexes per vehicle of the problem) and the engine's cost of them."""

    routes: list[list[int]]
    cost: int
    vehicles: int


def translate(
    problem: RoutingProblem,
    *,
    fleet: int | None = None,
    required: bool = False,
    relaxed: frozenset[int] = frozenset(),
) -> Translation:
    """PyVRP data for `problem`; with `fleet`, one vehicle type of that many copies of the
    first vehicle (the vehicles must be alike); with `required`, every job must be served;
    the `relaxed` jobs keep their hard window instead of their soft deadline."""
    nodes = len(problem.time)
    depots = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
    depot_of = {node: i for i, node in enumerate(depots)}
    clients = [_client(problem, job, required, k in relaxed) for k, job in enumerate(problem.jobs)]
    base_distance = np.asarray(problem.cost or problem.time, dtype=np.int64)
    duration = np.asarray(problem.time, dtype=np.int64)
    forbid = _forbidden_cost(problem, base_distance)
    profiles: dict[tuple, int] = {((), ()): 0}
    distances = [base_distance]
    types: dict[tuple, list[int]] = {}
    for v, vehicle in enumerate(problem.vehicles):
        key = _profile_key(problem, v)
        if key not in profiles:
            profiles[key] = len(distances)
            distances.append(_profile_matrix(problem, base_distance, key, forbid))
        signature = (
            vehicle.start,
            vehicle.end,
            vehicle.earliest,
            vehicle.latest,
            vehicle.capacity,
            vehicle.fixed_cost,
            profiles[key],
        )
        types.setdefault(signature, []).append(v)
    if fleet is not None:
        types = {next(iter(types)): list(range(fleet))}
    vehicle_types = [
        VehicleType(
            num_available=len(members),
            capacity=[min(cap, 2**31)],
            start_depot=depot_of[start],
            end_depot=depot_of[end],
            fixed_cost=fixed,
            tw_early=early,
            tw_late=late,
            profile=profile,
        )
        for (start, end, early, late, cap, fixed, profile), members in types.items()
    ]
    data = ProblemData(
        [Location(0, 0) for _ in range(nodes)],
        clients,
        [Depot(location=node) for node in depots],
        vehicle_types,
        distances,
        [duration] * len(distances),
    )
    return Translation(data, list(types.values()))


def _client(problem: RoutingProblem, job, required: bool, relaxed: bool) -> Client:
    """A job as a client. Its soft deadline becomes its hard one unless relaxed, already
    missed, or the job is on someone's plan today (whose lateness the full model judges)."""
    late = job.latest
    if (
        job.soft_latest is not None
        and job.late_cost
        and not relaxed
        and job.previous is None
        and job.soft_latest >= _earliest_start(problem, job)
    ):
        late = min(late, job.soft_latest)
    return Client(
        location=job.node,
        delivery=[job.demand],
        service_duration=job.service,
        tw_early=job.earliest,
        tw_late=late,
        prize=_prize(problem, job),
        required=required,
    )


def _prize(problem: RoutingProblem, job) -> int:
    """The drop penalty; dropping a job someone has today also costs the move."""
    moved = problem.move_cost if job.previous is not None else 0
    return min(job.drop_penalty, 10**12) + moved


def _earliest_start(problem: RoutingProblem, job) -> int:
    """The earliest any allowed vehicle could start the job: a deadline before it is
    already missed, and the job is searched with its hard window instead."""
    allowed = (job.pinned,) if job.pinned is not None else job.allowed
    vehicles = range(len(problem.vehicles)) if allowed is None else allowed
    reach = min(
        (
            problem.vehicles[v].earliest + problem.time[problem.vehicles[v].start][job.node]
            for v in vehicles
        ),
        default=job.earliest,
    )
    return max(job.earliest, reach)


def _forbidden_cost(problem: RoutingProblem, distance: np.ndarray) -> int:
    """An arc cost no prize can pay for."""
    prizes = max((_prize(problem, job) for job in problem.jobs), default=0)
    return 4 * prizes + 4 * int(distance.max(initial=0)) + 1


def _profile_key(problem: RoutingProblem, v: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(jobs vehicle v may not take, jobs it would take from another vehicle)."""
    forbidden, moved = [], []
    for k, job in enumerate(problem.jobs):
        allowed = (job.pinned,) if job.pinned is not None else job.allowed
        if allowed is not None and v not in allowed:
            forbidden.append(k)
        elif problem.move_cost and job.previous is not None and job.previous != v:
            moved.append(k)
    return tuple(forbidden), tuple(moved)


def _profile_matrix(
    problem: RoutingProblem, base: np.ndarray, key: tuple, forbid: int
) -> np.ndarray:
    forbidden, moved = key
    matrix = base.copy()
    matrix[:, [problem.jobs[k].node for k in moved]] += problem.move_cost
    matrix[:, [problem.jobs[k].node for k in forbidden]] = forbid
    np.fill_diagonal(matrix, 0)
    return matrix


def _routes(translation: Translation, solution: PyvrpSolution, vehicles: int) -> list[list[int]]:
    routes: list[list[int]] = [[] for _ in range(vehicles)]
    used = [0] * len(translation.type_vehicles)
    for route in solution.routes():
        kind = route.vehicle_type()
        vehicle = translation.type_vehicles[kind][used[kind]]
        used[kind] += 1
        routes[vehicle] = [a.idx for a in route.schedule() if a.is_client()]
    return routes


def _initial(translation: Translation, routes: list[list[int]] | None) -> PyvrpSolution | None:
    """A warm start from routes per problem vehicle; None when they do not map."""
    if not routes or not any(routes):
        return None
    slot = {}
    for kind, members in enumerate(translation.type_vehicles):
        for v in members:
            slot.setdefault(v, kind)
    pyvrp_routes = []
    for v, route in enumerate(routes):
        if route and v in slot:
            pyvrp_routes.append(Route(translation.data, list(route), slot[v]))
    try:
        return PyvrpSolution(translation.data, pyvrp_routes)
    except (ValueError, IndexError, RuntimeError):
        return None


def _cost(solution: PyvrpSolution) -> int:
    return solution.distance_cost() + solution.fixed_vehicle_cost() + solution.uncollected_prizes()


class _Reporter(IteratedLocalSearchCallbacks):
    """Passes each new best plan to `on_progress` with a round label."""

    def __init__(self, on_progress: Progress | None, started: float, label: str):
        self.on_progress, self.started, self.label = on_progress, started, label

    def on_start(self, ils) -> None:
        self.on_best(ils.initial_solution)

    def on_best(self, best: PyvrpSolution) -> None:
        if self.on_progress is not None and best.is_feasible():
            self.on_progress(
                {
                    "round": self.label,
                    "objective": _cost(best),
                    "vehicles": best.num_routes(),
                    "seconds": round(time.monotonic() - self.started, 2),
                }
            )


def _run(
    translation: Translation,
    stop,
    initial: PyvrpSolution | None,
    reporter: _Reporter,
    seed: int = 1,
) -> PyvrpSolution:
    params = SolveParams(ils=IteratedLocalSearchParams(callbacks=reporter))
    result = pyvrp_solve(
        translation.data,
        stop,
        seed=seed,
        collect_stats=False,
        params=params,
        initial_solution=initial,
    )
    return result.best


def search(
    problem: RoutingProblem,
    seconds: float,
    *,
    initial_routes=None,
    minimise_fleet: bool = False,
    on_progress: Progress | None = None,
    started: float | None = None,
) -> Found | None:
    """The best plan the engine finds within `seconds`, or None if it finds no feasible
    one. See the module docstring for `minimise_fleet`."""
    started = time.monotonic() if started is None else started
    deadline = time.monotonic() + seconds
    translation = translate(problem)
    if minimise_fleet and len(translation.type_vehicles) == 1:
        found = _fleet_rounds(problem, deadline, seconds, initial_routes, on_progress, started)
        if found is not None:
            return found
    tightened = [
        k
        for k, client in enumerate(translation.data.clients())
        if client.tw_late < problem.jobs[k].latest
    ]
    share = 0.7 if tightened else 1.0
    start = _feasible_start(translation.data, _initial(translation, initial_routes))
    best = _run(
        translation,
        MaxRuntime(max(0.05, (deadline - time.monotonic()) * share)),
        start,
        _Reporter(on_progress, started, "search"),
    )
    late = frozenset(tightened) - _served(best)
    if late and deadline - time.monotonic() > 0.05:
        # Jobs that cannot make their deadline: serve them late rather than not at all.
        translation, best = _relax(translation, problem, best, late, deadline, on_progress, started)
    if not best.is_feasible():
        return None
    return Found(_routes(translation, best, len(problem.vehicles)), _cost(best), best.num_routes())


def _feasible_start(data: ProblemData, initial: PyvrpSolution | None) -> PyvrpSolution:
    """A feasible plan in milliseconds: one local search from `initial` (or nothing) that
    never breaks a window or a capacity, so a first plan is on screen at once and the
    search starts from something sound rather than from a random, infeasible plan."""
    search = LocalSearch(
        data,
        RandomNumberGenerator(seed=0),
        compute_neighbours(data),
        PerturbationManager(PerturbationParams()),
    )
    for operator in OPERATORS:
        if operator.supports(data):
            search.add_operator(operator(data))
    strict = CostEvaluator([STRICT_PENALTY] * data.num_load_dimensions, STRICT_PENALTY, 0)
    return search(initial or PyvrpSolution(data, []), strict, exhaustive=True)


def _served(solution: PyvrpSolution) -> set[int]:
    return {k for route in solution.routes() for k in _visits(route)}


def _relax(
    translation: Translation,
    problem: RoutingProblem,
    best: PyvrpSolution,
    late: frozenset[int],
    deadline: float,
    on_progress: Progress | None,
    started: float,
) -> tuple[Translation, PyvrpSolution]:
    """The search continued with the `late` jobs on their hard windows, from `best`."""
    relaxed = translate(problem, relaxed=late)
    start = PyvrpSolution(
        relaxed.data, [Route(relaxed.data, _visits(r), r.vehicle_type()) for r in best.routes()]
    )
    found = _run(
        relaxed,
        MaxRuntime(max(0.05, deadline - time.monotonic())),
        start,
        _Reporter(on_progress, started, "search, late jobs"),
    )
    if found.is_feasible():
        return relaxed, found
    return translation, best


def _fleet_rounds(
    problem: RoutingProblem,
    deadline: float,
    seconds: float,
    initial_routes,
    on_progress: Progress | None,
    started: float,
) -> Found | None:
    """Fewest vehicles first (alike vehicles, every job to serve), then distance."""
    with warnings.catch_warnings():
        # A fleet too small for any plan drives the penalties to their bound: expected here.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return _fewest_vehicles(problem, deadline, seconds, initial_routes, on_progress, started)


def _fewest_vehicles(
    problem: RoutingProblem,
    deadline: float,
    seconds: float,
    initial_routes,
    on_progress: Progress | None,
    started: float,
) -> Found | None:
    fleet = len(problem.vehicles)
    translation = translate(problem, fleet=fleet, required=True)
    reporter = _Reporter(on_progress, started, f"{fleet} vehicles")
    best = _run(
        translation,
        MultipleCriteria([FirstFeasible(), MaxRuntime(seconds * 0.3)]),
        _initial(translation, initial_routes),
        reporter,
    )
    if not best.is_feasible():
        return None
    fleet_deadline = time.monotonic() + seconds * 0.55
    while best.num_routes() > _fewest_possible(problem) and time.monotonic() < min(
        fleet_deadline, deadline
    ):
        fleet = best.num_routes() - 1
        tighter = translate(problem, fleet=fleet, required=True)
        routes = sorted((_visits(r) for r in best.routes()), key=len)[1:]
        start = PyvrpSolution(tighter.data, [Route(tighter.data, r, 0) for r in routes])
        budget = min(fleet_deadline, deadline) - time.monotonic()
        found = _run(
            tighter,
            MultipleCriteria([FirstFeasible(), MaxRuntime(max(0.05, budget))]),
            start,
            _Reporter(on_progress, started, f"{fleet} vehicles"),
        )
        if not found.is_feasible():
            break
        best, translation = found, tighter
    polished = _run(
        translation,
        MaxRuntime(max(0.05, deadline - time.monotonic())),
        best,
        _Reporter(on_progress, started, f"{best.num_routes()} vehicles, distance"),
    )
    if polished.is_feasible() and _cost(polished) <= _cost(best):
        best = polished
    return Found(_routes(translation, best, len(problem.vehicles)), _cost(best), best.num_routes())


def _fewest_possible(problem: RoutingProblem) -> int:
    """A lower bound on the fleet: the total demand over one vehicle's capacity."""
    demand = sum(job.demand for job in problem.jobs)
    return max(1, -(-demand // max(1, problem.vehicles[0].capacity)))


def _visits(route: Route) -> list[int]:
    return [a.idx for a in route.schedule() if a.is_client()]
