"""Dispatch plans: who goes where, in which order, for a service provider's open tickets.

The planner reads the provider's technicians and open tickets (services.dispatch.loading:
skills, shifts and who is on call; sites and their hours, the contract's working hours,
priority, SLA deadline and the parts the fault usually needs), rules out what no technician can take and says why,
and hands the rest to the routing core (services.dispatch.routing) with travel times
from services.dispatch.travel. Unserved or late P1 jobs cost far more than P4 ones, and
a P1 the search left out while lower work is planned is put back in by bumping that
work (services.dispatch.dominance).
Tickets already with a technician cost something to move, so a re-plan (say, for a new
P1) keeps the other assignments unless moving them saves more.

Times inside the model are minutes from the plan's start.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from services.dispatch.dominance import keep_p1
from services.dispatch.insertion import insert_urgent
from services.dispatch.loading import (
    OPEN_STATUSES,
    PINNED_STATUSES,
    SERVICE_MINUTES,
    PlanJob,
    PlanTech,
    free_stock,
    load_jobs,
    load_technicians,
)
from services.dispatch.problem import Job, RoutingProblem, Solution, Vehicle
from services.dispatch.routing import evaluate, solve
from services.dispatch.travel import TravelModel

__all__ = [
    "OPEN_STATUSES",
    "PINNED_STATUSES",
    "PRIORITY_COSTS",
    "SERVICE_MINUTES",
    "PlanJob",
    "PlanTech",
    "build_problem",
    "eligibility",
    "plan",
]

# (penalty for leaving the job undone, cost per minute past its SLA deadline). Each
# priority's penalty outweighs its lateness over the whole horizon, so a late job is
# always served rather than dropped; a P1's outweighs every lower job a plan could hold,
# so no number of P2-P4 jobs is ever planned at the cost of a P1.
PRIORITY_COSTS = {
    "P1": (5_000_000_000, 5_000),
    "P2": (20_000_000, 1_000),
    "P3": (1_000_000, 100),
    "P4": (200_000, 20),
}
PINNED_PENALTY = 10**11  # under way with its technician: never dropped
# Cost, in travel minutes, of taking a job off the technician who has it (or out of the
# plan): a re-plan moves work only where that saves more than the balance of a working
# day can (2 a minute, see build_problem) or keeps an SLA.
MOVE_COST = 240


def eligibility(jobs: list[PlanJob], techs: list[PlanTech], stock: dict) -> None:
    """Fill each job's allowed technicians, or the reason none can take it."""
    index = {t.id: i for i, t in enumerate(techs)}
    for job in jobs:
        if job.reason:
            continue
        if job.window == (0, 0) and not job.round_the_clock:
            job.reason = "the contract's working hours do not open in the next two days"
            continue
        if job.status in PINNED_STATUSES:
            if job.technician_id in index:
                job.allowed = [index[job.technician_id]]
            else:
                job.reason = "in hand with a technician who is not on shift"
            continue
        skilled = [
            i
            for i, t in enumerate(techs)
            if job.device_type in t.skills and t.window[1] > t.window[0]
        ]
        if not skilled:
            job.reason = (
                f"no technician working today or tomorrow is skilled for {job.device_type or 'it'}"
            )
            continue
        stocked = [
            i
            for i in skilled
            if all(
                stock.get((techs[i].hub_id or "", p["partId"]), 0) >= p["qty"] for p in job.parts
            )
        ]
        if not stocked:
            codes = ", ".join(p["code"] for p in job.parts)
            job.reason = f"parts short: {codes} not free at the hub of any skilled technician"
            continue
        job.allowed = stocked


def build_problem(
    jobs: list[PlanJob], techs: list[PlanTech], start: datetime, travel: TravelModel
) -> tuple[RoutingProblem, list[PlanJob]]:
    """The routing problem of the jobs some technician may take (in that order)."""
    plannable = [j for j in jobs if j.allowed]
    places = [t.place for t in techs] + [t.home for t in techs] + [j.place for j in plannable]
    matrix = travel.matrix(places, start)
    # A technician with no working time in the plan still has a feasible (empty) day.
    vehicles = [
        Vehicle(
            i,
            len(techs) + i,
            t.window[0],
            max(t.window[1], t.window[0] + matrix[i][len(techs) + i]),
            t.capacity,
        )
        for i, t in enumerate(techs)
    ]
    index = {t.id: i for i, t in enumerate(techs)}
    routing_jobs = []
    for k, job in enumerate(plannable):
        drop, late = PRIORITY_COSTS.get(job.priority, PRIORITY_COSTS["P4"])
        pinned = job.allowed[0] if job.status in PINNED_STATUSES else None
        previous = index.get(job.technician_id or "")
        if previous not in job.allowed or pinned is not None:
            previous = None
        routing_jobs.append(
            Job(
                node=2 * len(techs) + k,
                service=job.service,
                earliest=job.window[0],
                latest=max(job.window[0], job.window[1]),
                demand=1,
                allowed=tuple(job.allowed),
                drop_penalty=drop if pinned is None else PINNED_PENALTY,
                soft_latest=max(0, job.deadline) if job.deadline is not None else None,
                late_cost=late,
                pinned=pinned,
                previous=previous,
            )
        )
    return (
        RoutingProblem(matrix, routing_jobs, vehicles, balance_cost=2, move_cost=MOVE_COST),
        plannable,
    )


def plan(
    db: Session, start: datetime | None = None, seconds: float = 10.0, on_progress=None
) -> dict:
    """A plan for the organisation's open tickets: routes per technician with ETAs, and
    every ticket left out with the reason."""
    start = start or datetime.now(UTC)
    techs, jobs = load_technicians(db, start), load_jobs(db, start)
    eligibility(jobs, techs, free_stock(db))
    unassigned = [_left_out(j, j.reason) for j in jobs if not j.allowed]
    if not techs or not any(j.allowed for j in jobs):
        return _result(None, None, [], techs, start, unassigned, {})
    problem, plannable = build_problem(jobs, techs, start, TravelModel())
    seed = _current_routes(plannable, techs)
    solution = solve(
        problem, seconds, on_progress=on_progress, initial_routes=seed, tighten_fleet=False
    )
    solution = keep_p1(problem, solution, PRIORITY_COSTS["P1"][0])
    return _result(solution, problem, plannable, techs, start, unassigned, {})


NO_ROOM = (
    "no route of today's plan reaches it within its deadline, even bumping one less "
    "urgent job; ask for a fresh plan"
)
ROUTES_CHANGED = "today's routes no longer fit their technicians' shifts; ask for a fresh plan"


def slot_in(
    db: Session, ticket_ids: list[str], order: dict[str, int], start: datetime | None = None
) -> dict:
    """Today's routes as technicians hold them (in the accepted plan's `order` of ticket
    ids) with the tickets `ticket_ids` slotted in, each bumping at most one less urgent
    job (services.dispatch.insertion), most urgent first. No search: what does not fit is
    left out with the reason. Returns what `plan` does."""
    started, start = time.monotonic(), start or datetime.now(UTC)
    techs, jobs = load_technicians(db, start), load_jobs(db, start)
    eligibility(jobs, techs, free_stock(db))
    unassigned = [_left_out(j, j.reason) for j in jobs if not j.allowed]
    if not techs or not any(j.allowed for j in jobs):
        return _result(None, None, [], techs, start, unassigned, {})
    problem, plannable = build_problem(jobs, techs, start, TravelModel())
    routes = _current_routes(plannable, techs, order)
    held = {k for route in routes for k in route}
    wanted = sorted(
        (k for k, j in enumerate(plannable) if j.ticket_id in ticket_ids and k not in held),
        key=lambda k: -problem.jobs[k].drop_penalty,
    )
    solution, misfits = evaluate(problem, routes, started), {}
    for k in wanted:
        found = insert_urgent(problem, routes, k)
        trial = evaluate(problem, found.routes, started) if found is not None else None
        if trial is None:
            misfits[k] = NO_ROOM
        else:
            routes, solution = found.routes, trial
    if solution is None:  # the routes as held no longer fit (a shift ended, a site closed)
        stale = unassigned + [_left_out(plannable[k], ROUTES_CHANGED) for k in wanted]
        return _result(None, None, [], techs, start, stale, {})
    return _result(solution, problem, plannable, techs, start, unassigned, misfits)


def _result(
    solution: Solution | None,
    problem: RoutingProblem | None,
    plannable: list[PlanJob],
    techs: list[PlanTech],
    start: datetime,
    unassigned: list[dict],
    reasons: dict[int, str],
) -> dict:
    """Routes with ETAs per technician, and the tickets left out with the reason."""
    routes = [
        _route(t, _stops(solution, v, plannable, problem, start) if solution else [], start)
        for v, t in enumerate(techs)
    ]
    unassigned = unassigned + [
        _left_out(plannable[k], reasons.get(k) or _why_unserved(plannable[k], techs))
        for k in (solution.unserved if solution else [])
    ]
    return {
        "routes": routes,
        "unassigned": unassigned,
        "summary": _summary(routes, unassigned, solution.seconds if solution else 0.0),
    }


def _current_routes(
    jobs: list[PlanJob], techs: list[PlanTech], order: dict[str, int] | None = None
) -> list[list[int]]:
    """Jobs already with a technician, in the `order` given (ticket id → position), else
    in number order: the plan to keep where it fits."""
    index = {t.id: i for i, t in enumerate(techs)}
    routes: list[list[int]] = [[] for _ in techs]
    for k, job in enumerate(jobs):
        if job.technician_id in index and index[job.technician_id] in job.allowed:
            routes[index[job.technician_id]].append(k)
    order = order or {}
    for route in routes:
        route.sort(key=lambda k: (order.get(jobs[k].ticket_id, len(order)), jobs[k].number))
    return routes


def _stops(
    solution: Solution, v: int, jobs: list[PlanJob], problem: RoutingProblem, start: datetime
) -> list[dict]:
    stops, previous = [], v
    for stop in solution.routes[v]:
        job, node = jobs[stop.job], problem.jobs[stop.job].node
        eta = start + timedelta(minutes=stop.start)
        late = max(0, stop.start - job.deadline) if job.deadline is not None else 0
        stops.append(
            {
                "ticketId": job.ticket_id,
                "number": job.number,
                "priority": job.priority,
                "deviceType": job.device_type,
                "facility": job.facility,
                "lat": job.place.lat,
                "lng": job.place.lng,
                "eta": eta.isoformat(),
                "travelMinutes": problem.time[previous][node],
                "serviceMinutes": job.service,
                "lateMinutes": late,
                "pinned": job.status in PINNED_STATUSES,
            }
        )
        previous = node
    return stops


def _route(tech: PlanTech, stops: list[dict], start: datetime) -> dict:
    return {
        "technicianId": tech.id,
        "technician": tech.name,
        "skills": sorted(tech.skills),
        "start": {"lat": tech.place.lat, "lng": tech.place.lng},
        "home": {"lat": tech.home.lat, "lng": tech.home.lng},
        "stops": stops,
        "shift": [(start + timedelta(minutes=m)).isoformat() for m in tech.shift],
        "onCall": tech.on_call,
    }


def _left_out(job: PlanJob, reason: str) -> dict:
    return {
        "ticketId": job.ticket_id,
        "number": job.number,
        "priority": job.priority,
        "deviceType": job.device_type,
        "facility": job.facility,
        "lat": job.place.lat,
        "lng": job.place.lng,
        "reason": reason,
    }


def _why_unserved(job: PlanJob, techs: list[PlanTech]) -> str:
    names = ", ".join(techs[i].name for i in job.allowed[:3])
    if job.priority == "P1":
        return (
            f"no route can take it: {names} cannot fit it within shift, capacity and the "
            f"site's hours, even with lower-priority work taken off; see the next steps"
        )
    return (
        f"no room today: {names} cannot fit it within shift, capacity and the "
        f"facility's hours without dropping more urgent work"
    )


def _summary(routes: list[dict], unassigned: list[dict], seconds: float) -> dict:
    stops = [s for r in routes for s in r["stops"]]
    return {
        "assigned": len(stops),
        "unassigned": len(unassigned),
        "travelMinutes": sum(s["travelMinutes"] for s in stops),
        "lateP1": sum(1 for s in stops if s["priority"] == "P1" and s["lateMinutes"] > 0),
        "techniciansUsed": sum(1 for r in routes if r["stops"]),
        "seconds": round(seconds, 2),
    }
