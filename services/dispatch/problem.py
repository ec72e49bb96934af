"""The routing problem and its answer, shared by the solvers (services.dispatch.routing,
services.dispatch.hgs, services.dispatch.insertion), the planner and the Solomon benchmark.

Times are whole units (minutes for dispatch plans) counted from the start of the day;
nodes index the time matrix; vehicles and jobs are referred to by their position in
the problem's lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
    previous: int | None = None  # vehicle that has the job today; moving it costs


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
    move_cost: int = 0  # per job served by another vehicle than its `previous` one


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
