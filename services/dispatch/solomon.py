"""Solomon VRPTW instances (the TSPLIB-style CVRPTW files of LKH-3) as routing problems.

Conventions of the best-known table: Euclidean distances in double precision, travel time
equal to distance, service before leaving, arrival no later than the due time. The model
works in thousandths: travel times rounded up (a plan feasible in integers is feasible
in reals) and arc costs rounded; the distance reported is recomputed in doubles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from services.dispatch.problem import Job, RoutingProblem, Solution, Vehicle

SCALE = 1000
VEHICLE_COST = 10**8  # above any distance saving: fewest vehicles first
DROP_PENALTY = 10**10


@dataclass
class Instance:
    name: str
    vehicles: int
    capacity: int
    coords: list[tuple[float, float]]  # node 0 is the depot
    demand: list[int]
    ready: list[int]
    due: list[int]
    service: list[int]


def read_instance(path: Path) -> Instance:
    """Parse one `.vrptw` file. Raises ValueError for a malformed one."""
    header, sections, current = {}, {}, None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif ":" in line and current is None:
            key, value = (part.strip() for part in line.split(":", 1))
            header[key] = value
        elif current is not None:
            sections[current].append([float(x) for x in line.split()])
    size = int(header["DIMENSION"])
    coords = [(row[1], row[2]) for row in sections["NODE_COORD_SECTION"]]
    demand = [int(row[1]) for row in sections["DEMAND_SECTION"]]
    windows = sections["TIME_WINDOW_SECTION"]
    if not len(coords) == len(demand) == len(windows) == size:
        raise ValueError(f"{path.name}: sections do not match DIMENSION {size}")
    service = int(float(header.get("SERVICE_TIME", 0)))
    return Instance(
        header["NAME"],
        int(header["VEHICLES"]),
        int(header["CAPACITY"]),
        coords,
        demand,
        [int(w[1]) for w in windows],
        [int(w[2]) for w in windows],
        [0] + [service] * (size - 1),
    )


def distance(inst: Instance, a: int, b: int) -> float:
    return math.dist(inst.coords[a], inst.coords[b])


def to_problem(inst: Instance, *, vehicle_cost: int = VEHICLE_COST) -> RoutingProblem:
    n = len(inst.coords)
    time = [[math.ceil(distance(inst, a, b) * SCALE - 1e-6) for b in range(n)] for a in range(n)]
    cost = [[round(distance(inst, a, b) * SCALE) for b in range(n)] for a in range(n)]
    jobs = [
        Job(
            node=i,
            service=inst.service[i] * SCALE,
            earliest=inst.ready[i] * SCALE,
            latest=inst.due[i] * SCALE,
            demand=inst.demand[i],
            drop_penalty=DROP_PENALTY,
        )
        for i in range(1, n)
    ]
    vehicles = [
        Vehicle(0, 0, inst.ready[0] * SCALE, inst.due[0] * SCALE, inst.capacity, vehicle_cost)
        for _ in range(inst.vehicles)
    ]
    return RoutingProblem(time, jobs, vehicles, cost)


def evaluate(inst: Instance, solution: Solution) -> dict:
    """Vehicles, distance in doubles and unserved customers; raises AssertionError when a
    route breaks a window or the capacity, so a reported figure is always a valid plan."""
    total = 0.0
    for route in solution.routes:
        if not route:
            continue
        clock, load, here = float(inst.ready[0]), 0, 0
        for stop in route:
            node = stop.job + 1
            clock = max(clock + inst.service[here] + distance(inst, here, node), inst.ready[node])
            assert clock <= inst.due[node] + 1e-6, f"{inst.name}: late at customer {node}"
            load += inst.demand[node]
            total += distance(inst, here, node)
            here = node
        total += distance(inst, here, 0)
        assert clock + inst.service[here] + distance(inst, here, 0) <= inst.due[0] + 1e-6
        assert load <= inst.capacity, f"{inst.name}: over capacity"
    return {
        "vehicles": solution.vehicles_used,
        "distance": round(total, 2),
        "unserved": len(solution.unserved),
    }
