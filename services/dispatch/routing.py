"""Vehicle routing with time windows on OR-Tools: the one code path behind the dispatch
planner and the Solomon benchmark.

A problem is a time matrix between nodes, jobs (a node each, with a service time, a
window for the start of service, a demand, the vehicles allowed to do it, a penalty for
leaving it undone and, optionally, a soft deadline with a cost per unit late) and
vehicles (start and end nodes, a working window, a capacity and a fixed cost for being
used). The objective is the sum of arc costs, fixed costs, drop penalties and lateness.

Solving runs in rounds within the time limit: a first solution by parallel cheapest
insertion, improved by guided local search; then, while time is left, the fleet is
tightened one vehicle at a time, starting from the last plan with its shortest route
emptied, and a tighter plan is kept only if it serves at least as many jobs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

Progress = Callable[[dict], None]


@dataclass
class Job:
    node: int
    service: int
    earliest: int
    latest: int
    demand: int = 0
    allowed: tuple[int, ...] | None = None  # vehicle indexes; None: any
    drop_penalty: int = 10**9
    soft_latest: int | None = None  # past this, `late_cost` per time unit
    late_cost: int = 0
    pinned: int | None = None  # vehicle that must keep the job


@dataclass
class Vehicle:
    start: int
    end: int
    earliest: int = 0
    latest: int = 10**9
    capacity: int = 10**9
    fixed_cost: int = 0


@dataclass
class RoutingProblem:
    time: list[list[int]]
    jobs: list[Job]
    vehicles: list[Vehicle]
    cost: list[list[int]] | None = None  # arc costs; the time matrix when None
    balance_cost: int = 0  # per unit of the longest working day, to spread the work


@dataclass
class Stop:
    job: int
    start: int  # start of service


@dataclass
class Solution:
    routes: list[list[Stop]]
    unserved: list[int]
    objective: int
    arc_cost: int
    seconds: float
    rounds: list[dict] = field(default_factory=list)

    @property
    def vehicles_used(self) -> int:
        return sum(1 for route in self.routes if route)


class _Model:
    """One OR-Tools model of a problem with the first `fleet` vehicles available."""

    def __init__(self, problem: RoutingProblem, fleet: int, *, vehicle_costs: bool = True):
        self.problem, self.fleet = problem, fleet
        vehicles = problem.vehicles[:fleet]
        self.manager = pywrapcp.RoutingIndexManager(
            len(problem.time), fleet, [v.start for v in vehicles], [v.end for v in vehicles])
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.node_job = {job.node: i for i, job in enumerate(problem.jobs)}
        self._costs(vehicle_costs)
        self._time()
        self._capacity()
        self._jobs()

    def _costs(self, vehicle_costs: bool) -> None:
        matrix = self.problem.cost or self.problem.time
        node = self.manager.IndexToNode
        self.arc = self.routing.RegisterTransitCallback(
            lambda a, b: matrix[node(a)][node(b)])
        self.matrix = matrix
        self.routing.SetArcCostEvaluatorOfAllVehicles(self.arc)
        if vehicle_costs:
            for v, vehicle in enumerate(self.problem.vehicles[:self.fleet]):
                self.routing.SetFixedCostOfVehicle(vehicle.fixed_cost, v)

    def _time(self) -> None:
        problem, node = self.problem, self.manager.IndexToNode
        service = [0] * len(problem.time)
        for job in problem.jobs:
            service[job.node] = job.service
        transit = self.routing.RegisterTransitCallback(
            lambda a, b: service[node(a)] + problem.time[node(a)][node(b)])
        horizon = max(max(v.latest for v in problem.vehicles), max(j.latest for j in problem.jobs))
        self.routing.AddDimension(transit, horizon, horizon, False, "time")
        self.clock = self.routing.GetDimensionOrDie("time")
        if problem.balance_cost:
            self.clock.SetGlobalSpanCostCoefficient(problem.balance_cost)
        for v, vehicle in enumerate(problem.vehicles[:self.fleet]):
            self.clock.CumulVar(self.routing.Start(v)).SetRange(vehicle.earliest, vehicle.latest)
            self.clock.CumulVar(self.routing.End(v)).SetRange(vehicle.earliest, vehicle.latest)
            self.routing.AddVariableMinimizedByFinalizer(self.clock.CumulVar(self.routing.End(v)))

    def _capacity(self) -> None:
        problem, node = self.problem, self.manager.IndexToNode
        demand = [0] * len(problem.time)
        for job in problem.jobs:
            demand[job.node] = job.demand
        if not any(demand):
            return
        index = self.routing.RegisterUnaryTransitCallback(lambda a: demand[node(a)])
        self.routing.AddDimensionWithVehicleCapacity(
            index, 0, [v.capacity for v in problem.vehicles[:self.fleet]], True, "load")

    def _jobs(self) -> None:
        for job in self.problem.jobs:
            index = self.manager.NodeToIndex(job.node)
            cumul = self.clock.CumulVar(index)
            cumul.SetRange(job.earliest, job.latest)
            if job.soft_latest is not None and job.late_cost:
                self.clock.SetCumulVarSoftUpperBound(index, job.soft_latest, job.late_cost)
            allowed = job.allowed
            if job.pinned is not None:
                allowed = (job.pinned,)
            if allowed is not None:
                usable = [v for v in allowed if v < self.fleet]
                self.routing.VehicleVar(index).SetValues([-1, *usable])
            self.routing.AddDisjunction([index], job.drop_penalty)

    def read(self, assignment, started: float) -> Solution:
        routing, manager, routes = self.routing, self.manager, []
        served: set[int] = set()
        arc_cost = 0
        matrix = self.problem.cost or self.problem.time
        for v in range(self.fleet):
            index, stops = routing.Start(v), []
            while not routing.IsEnd(index):
                after = assignment.Value(routing.NextVar(index))
                arc_cost += matrix[manager.IndexToNode(index)][manager.IndexToNode(after)]
                index = after
                job = self.node_job.get(manager.IndexToNode(index))
                if job is not None:
                    stops.append(Stop(job, assignment.Min(self.clock.CumulVar(index))))
                    served.add(job)
            routes.append(stops)
        routes += [[] for _ in range(len(self.problem.vehicles) - self.fleet)]
        unserved = [i for i in range(len(self.problem.jobs)) if i not in served]
        return Solution(routes, unserved, assignment.ObjectiveValue(), arc_cost,
                        time.monotonic() - started)

    def initial(self, routes: list[list[int]]):
        """An assignment from routes given as job indexes (vehicles past the fleet dropped)."""
        nodes = [[self.problem.jobs[j].node for j in route] for route in routes[:self.fleet]]
        nodes += [[] for _ in range(self.fleet - len(nodes))]
        return self.routing.ReadAssignmentFromRoutes(nodes, True)


def _parameters(seconds: float, first: str, metaheuristic: str) -> object:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic)
    params.time_limit.FromMilliseconds(max(50, int(seconds * 1000)))
    return params


def solve(problem: RoutingProblem, seconds: float, *, on_progress: Progress | None = None,
          initial_routes: list[list[int]] | None = None, tighten_fleet: bool = True) -> Solution:
    """The best plan found within `seconds` (see the module docstring). `initial_routes`
    (job indexes per vehicle) seed the search, so a re-plan starts from the current plan
    and keeps what still fits."""
    started = time.monotonic()
    deadline = started + seconds
    model = _Model(problem, len(problem.vehicles))
    best = _round(model, deadline, seconds * (0.25 if tighten_fleet else 1.0), initial_routes,
                  on_progress, started, "first plan")
    if best is None:
        raise RuntimeError("no plan satisfies the hard constraints")
    if tighten_fleet and best.unserved and deadline - time.monotonic() > 0.5:
        # Serving everyone comes before saving a vehicle: search on with the whole fleet.
        more = _round(_Model(problem, len(problem.vehicles)), deadline, seconds * 0.25,
                      [[s.job for s in r] for r in best.routes], on_progress, started,
                      "serve all", serve=len(problem.jobs))
        if more is not None and len(more.unserved) < len(best.unserved):
            best = more
    while tighten_fleet and not best.unserved and deadline - time.monotonic() > 0.5:
        used = [r for r in best.routes if r]
        if len(used) < 2:
            break
        order = sorted(range(len(best.routes)), key=lambda v: -len(best.routes[v]))
        fleet = len(used) - 1
        seed = [[s.job for s in best.routes[v]] for v in order[:fleet]]
        # With the fleet fixed by the model, fixed costs would only blur the search.
        tighter = _Model(_reordered(problem, order), fleet, vehicle_costs=False)
        found = _round(tighter, deadline, seconds * 0.25, seed, on_progress, started,
                       f"{fleet} vehicles", serve=len(problem.jobs) - len(best.unserved))
        if found is None or len(found.unserved) > len(best.unserved):
            break
        best = _remap(found, problem, best, order)
    if tighten_fleet and deadline - time.monotonic() > 0.3:
        # A tightened round stops at its first full plan: the time left polishes the best.
        order = sorted(range(len(best.routes)), key=lambda v: -len(best.routes[v]))
        fleet = sum(1 for r in best.routes if r)
        seed = [[s.job for s in best.routes[v]] for v in order[:fleet]]
        polished = _round(_Model(_reordered(problem, order), fleet, vehicle_costs=False),
                          deadline,
                          deadline - time.monotonic(), seed, on_progress, started, "polish")
        if polished is not None and len(polished.unserved) <= len(best.unserved) \
                and polished.arc_cost <= best.arc_cost:
            best = _remap(polished, problem, best, order)
    best.seconds = time.monotonic() - started
    return best


def solve_plain(problem: RoutingProblem, seconds: float) -> Solution:
    """The plain OR-Tools model, for comparison: one search (parallel cheapest insertion,
    guided local search) on arc costs alone, no fixed vehicle costs, no fleet rounds."""
    started = time.monotonic()
    found = _round(_Model(problem, len(problem.vehicles), vehicle_costs=False),
                   started + seconds, seconds, None, None, started, "plain")
    if found is None:
        raise RuntimeError("no plan satisfies the hard constraints")
    return found


def _round(model: _Model, deadline: float, budget: float, seed: list[list[int]] | None,
           on_progress: Progress | None, started: float, label: str,
           serve: int | None = None) -> Solution | None:
    """One search. With `serve`, it stops at the first plan serving that many jobs."""
    params = _parameters(min(budget, deadline - time.monotonic()),
                         "PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH")
    routing = model.routing
    job_indexes = [model.manager.NodeToIndex(j.node) for j in model.problem.jobs]

    def at_solution() -> None:
        if on_progress is not None:
            on_progress({"round": label, "objective": routing.CostVar().Max(),
                         "seconds": round(time.monotonic() - started, 2)})
        if serve is not None and sum(routing.ActiveVar(i).Max() for i in job_indexes) >= serve:
            routing.solver().FinishCurrentSearch()

    routing.AddAtSolutionCallback(at_solution)
    hint = model.initial(seed) if seed else None  # None too when the seed no longer fits
    assignment = (routing.SolveFromAssignmentWithParameters(hint, params) if hint
                  else routing.SolveWithParameters(params))
    return model.read(assignment, started) if assignment else None


def _reordered(problem: RoutingProblem, order: list[int]) -> RoutingProblem:
    """The problem with its vehicles in `order` (busiest first), so that a fleet of the
    first k keeps the busiest routes and the lightest one is emptied."""
    return RoutingProblem(problem.time, _rejob(problem.jobs, order),
                          [problem.vehicles[v] for v in order], problem.cost,
                          problem.balance_cost)


def _rejob(jobs: list[Job], order: list[int]) -> list[Job]:
    position = {v: i for i, v in enumerate(order)}
    out = []
    for job in jobs:
        allowed = None if job.allowed is None else tuple(position[v] for v in job.allowed)
        pinned = None if job.pinned is None else position[job.pinned]
        out.append(Job(job.node, job.service, job.earliest, job.latest, job.demand, allowed,
                       job.drop_penalty, job.soft_latest, job.late_cost, pinned))
    return out


def _remap(found: Solution, problem: RoutingProblem, best: Solution,
           order: list[int]) -> Solution:
    """Routes of a tightened round back in the problem's own vehicle order."""
    routes: list[list[Stop]] = [[] for _ in problem.vehicles]
    for position, route in enumerate(found.routes):
        if position < len(order):
            routes[order[position]] = route
    return Solution(routes, found.unserved, found.objective, found.arc_cost, found.seconds,
                    best.rounds + [{"vehicles": found.vehicles_used,
                                    "objective": found.objective}])
