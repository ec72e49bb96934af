"""Vehicle routing with time windows: the one code path behind the dispatch planner and
the Solomon benchmark.

A problem is a time matrix between nodes, jobs (a node each, with a service time, a
window for the start of service, a demand, the vehicles allowed to do it, a penalty for
leaving it undone and, optionally, a soft deadline with a cost per unit late) and
vehicles (start and end nodes, a working window, a capacity and a fixed cost for being
used). The objective is the sum of arc costs, fixed costs, drop penalties, lateness, the
balance cost of the longest working day and, on a re-plan, a move cost for each job
taken off the vehicle it has today (to another vehicle or out of the plan).

Solving runs in two stages within the time limit. PyVRP's iterated local search
(services.dispatch.hgs) searches most of the time, minimising the fleet first when asked;
its plan then seeds the OR-Tools model of record, which checks it against every
constraint and the full objective (soft deadlines, balance, pinned jobs, move costs) and
polishes it with guided local search for the time left. Should the plan not fit the
model, OR-Tools searches on its own from the current plan. A re-plan (a move cost and
today's routes given) leaves most of the time to the full model, where moves cost.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from services.dispatch import hgs
from services.dispatch.insertion import insert_all
from services.dispatch.problem import Progress, RoutingProblem, Solution, Stop

# Shares of the time limit for the search engine: fleet minimisation needs most of it;
# dispatch plans gain more from the full model's polish (deadlines, balance).
SEARCH_SHARE_FLEET = 0.92
SEARCH_SHARE_DISPATCH = 0.6
# A re-plan starts from today's plan: a short search fits the new work in, and the full
# model, where moving a job costs, has the rest of the time.
SEARCH_SHARE_REPLAN = 0.15


class _Model:
    """The OR-Tools model of a problem with the first `fleet` vehicles available."""

    def __init__(
        self,
        problem: RoutingProblem,
        fleet: int,
        *,
        vehicle_costs: bool = True,
        move_costs: bool = True,
    ):
        self.problem, self.fleet = problem, fleet
        vehicles = problem.vehicles[:fleet]
        self.manager = pywrapcp.RoutingIndexManager(
            len(problem.time), fleet, [v.start for v in vehicles], [v.end for v in vehicles]
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.node_job = {job.node: i for i, job in enumerate(problem.jobs)}
        self._costs(vehicle_costs, move_costs)
        self._time()
        self._capacity()
        self._jobs()

    def _costs(self, vehicle_costs: bool, move_costs: bool) -> None:
        """Arc costs from matrices held by OR-Tools; on a re-plan, each vehicle's arcs into
        a job another vehicle has today carry the move cost."""
        base = np.asarray(self.problem.cost or self.problem.time, dtype=np.int64)
        moved = _moved_jobs(self.problem, self.fleet) if move_costs else {}
        if not any(moved.values()):
            self.routing.SetArcCostEvaluatorOfAllVehicles(
                self.routing.RegisterTransitMatrix(base.tolist())
            )
        else:
            callbacks: dict[tuple[int, ...], int] = {}
            for v in range(self.fleet):
                key = moved[v]
                if key not in callbacks:
                    matrix = base.copy()
                    matrix[:, [self.problem.jobs[k].node for k in key]] += self.problem.move_cost
                    callbacks[key] = self.routing.RegisterTransitMatrix(matrix.tolist())
                self.routing.SetArcCostEvaluatorOfVehicle(callbacks[key], v)
        if vehicle_costs:
            for v, vehicle in enumerate(self.problem.vehicles[: self.fleet]):
                self.routing.SetFixedCostOfVehicle(vehicle.fixed_cost, v)

    def _time(self) -> None:
        problem = self.problem
        service = np.zeros(len(problem.time), dtype=np.int64)
        for job in problem.jobs:
            service[job.node] = job.service
        transit = np.asarray(problem.time, dtype=np.int64) + service[:, None]
        horizon = max(max(v.latest for v in problem.vehicles), max(j.latest for j in problem.jobs))
        self.routing.AddDimension(
            self.routing.RegisterTransitMatrix(transit.tolist()), horizon, horizon, False, "time"
        )
        self.clock = self.routing.GetDimensionOrDie("time")
        if problem.balance_cost:
            self.clock.SetGlobalSpanCostCoefficient(problem.balance_cost)
        for v, vehicle in enumerate(problem.vehicles[: self.fleet]):
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
            index, 0, [v.capacity for v in problem.vehicles[: self.fleet]], True, "load"
        )

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
            moved = self.problem.move_cost if job.previous is not None else 0
            self.routing.AddDisjunction([index], job.drop_penalty + moved)

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
        return Solution(
            routes, unserved, assignment.ObjectiveValue(), arc_cost, time.monotonic() - started
        )

    def initial(self, routes: list[list[int]]):
        """An assignment from routes given as job indexes (vehicles past the fleet dropped);
        None when they break a hard constraint."""
        index = self.manager.NodeToIndex
        indexes = [
            [index(self.problem.jobs[j].node) for j in route] for route in routes[: self.fleet]
        ]
        indexes += [[] for _ in range(self.fleet - len(indexes))]
        return self.routing.ReadAssignmentFromRoutes(indexes, True)


def _parameters(seconds: float, first: str, metaheuristic: str) -> object:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
    )
    params.time_limit.FromMilliseconds(max(50, int(seconds * 1000)))
    return params


def solve(
    problem: RoutingProblem,
    seconds: float,
    *,
    on_progress: Progress | None = None,
    initial_routes: list[list[int]] | None = None,
    tighten_fleet: bool = True,
) -> Solution:
    """The best plan found within `seconds` (see the module docstring). `initial_routes`
    (job indexes per vehicle) seed the search, so a re-plan starts from the current plan
    and keeps what still fits; with `tighten_fleet`, fewer vehicles come before distance
    (the vehicles must then be alike)."""
    started = time.monotonic()
    deadline = started + seconds
    share = SEARCH_SHARE_FLEET if tighten_fleet else SEARCH_SHARE_DISPATCH
    if _is_replan(problem, initial_routes):
        share = SEARCH_SHARE_REPLAN
        quick = _slot_in(problem, initial_routes, started, on_progress)
        if quick is not None:
            return quick
    found = None
    if share > 0:
        found = hgs.search(
            problem,
            seconds * share,
            initial_routes=initial_routes,
            minimise_fleet=tighten_fleet,
            on_progress=on_progress,
            started=started,
        )
    seed = found.routes if found is not None else initial_routes
    model = _Model(problem, len(problem.vehicles))
    best = _round(model, deadline, seed, on_progress, started, "full model")
    if best is None and seed is not initial_routes:
        # The engine's plan does not fit the model: OR-Tools searches on its own.
        best = _round(
            _Model(problem, len(problem.vehicles)),
            deadline,
            initial_routes,
            on_progress,
            started,
            "full model, own search",
        )
    if best is None:
        raise RuntimeError("no plan satisfies the hard constraints")
    if found is not None:
        best.rounds.append({"round": "search", "objective": found.cost, "vehicles": found.vehicles})
    best.seconds = time.monotonic() - started
    return best


def solve_plain(problem: RoutingProblem, seconds: float) -> Solution:
    """The plain OR-Tools model, for comparison: one search (parallel cheapest insertion,
    guided local search) on arc costs alone, no fixed vehicle costs, no fleet rounds."""
    started = time.monotonic()
    found = _round(
        _Model(problem, len(problem.vehicles), vehicle_costs=False, move_costs=False),
        started + seconds,
        None,
        None,
        started,
        "plain",
    )
    if found is None:
        raise RuntimeError("no plan satisfies the hard constraints")
    return found


def _round(
    model: _Model,
    deadline: float,
    seed: list[list[int]] | None,
    on_progress: Progress | None,
    started: float,
    label: str,
) -> Solution | None:
    """One guided local search until the deadline, from `seed` when it fits the model."""
    params = _parameters(
        deadline - time.monotonic(), "PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"
    )
    routing = model.routing

    def at_solution() -> None:
        if on_progress is not None:
            on_progress(
                {
                    "round": label,
                    "objective": routing.CostVar().Max(),
                    "seconds": round(time.monotonic() - started, 2),
                }
            )

    routing.AddAtSolutionCallback(at_solution)
    hint = model.initial(seed) if seed and any(seed) else None  # None too when it won't fit
    assignment = (
        routing.SolveFromAssignmentWithParameters(hint, params)
        if hint
        else routing.SolveWithParameters(params)
    )
    return model.read(assignment, started) if assignment else None


def _slot_in(
    problem: RoutingProblem,
    initial_routes: list[list[int]],
    started: float,
    on_progress: Progress | None,
) -> Solution | None:
    """A re-plan that keeps today's routes and slots the new urgent work in (see
    services.dispatch.insertion); None when that cannot serve it in time."""
    routes = insert_all(problem, initial_routes)
    found = evaluate(problem, routes, started) if routes is not None else None
    if found is None:
        return None
    if on_progress is not None:
        on_progress(
            {
                "round": "slotted in",
                "objective": found.objective,
                "seconds": round(time.monotonic() - started, 2),
            }
        )
    found.rounds.append({"round": "slotted in", "objective": found.objective})
    return found


def evaluate(
    problem: RoutingProblem, routes: list[list[int]], started: float | None = None
) -> Solution | None:
    """`routes` (job indexes per vehicle) as they stand, timed and costed by the model, with
    no search; None when they break a hard constraint."""
    started = time.monotonic() if started is None else started
    model = _Model(problem, len(problem.vehicles))
    hint = model.initial(routes)
    if hint is None:
        return None
    params = _parameters(1.0, "PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT")
    params.solution_limit = 1  # the hint as it stands
    assignment = model.routing.SolveFromAssignmentWithParameters(hint, params)
    return model.read(assignment, started) if assignment else None


def _is_replan(problem: RoutingProblem, initial_routes: list[list[int]] | None) -> bool:
    return bool(
        problem.move_cost
        and initial_routes
        and any(initial_routes)
        and any(job.previous is not None for job in problem.jobs)
    )


def _moved_jobs(problem: RoutingProblem, fleet: int) -> dict[int, tuple[int, ...]]:
    """Per vehicle, the jobs it would take from the vehicle that has them today."""
    if not problem.move_cost:
        return {v: () for v in range(fleet)}
    return {
        v: tuple(
            k
            for k, job in enumerate(problem.jobs)
            if job.previous is not None and job.previous != v
        )
        for v in range(fleet)
    }
