"""The dispatcher's word over the optimizer: move one ticket to another technician (or
out of the plan), see the new ETAs and what the move breaks, then keep it or not.

A move is previewed first and changes nothing; applying it rewrites the plan's routes
(the plan stays `ready`, so it is still accepted as a whole). The moved ticket goes where
it hurts the target route least: fewest broken rules first, then least lateness weighted
by priority, then least added travel. Both routes are re-timed with the same travel model
the optimizer used, from the plan's start. Nothing is forbidden here: a dispatcher may
know that a technician is cross-trained or that a facility will open its doors late, so
the broken rules are shown, not enforced.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.common.clock import IST
from services.common.roles import DISPATCHERS
from services.dispatch.loading import (
    PINNED_STATUSES,
    PlanJob,
    PlanTech,
    free_stock,
    load_jobs,
    load_technicians,
)
from services.dispatch.models import DispatchPlan
from services.dispatch.planner import PRIORITY_COSTS
from services.dispatch.travel import Place, TravelModel
from services.errors import Conflict, Forbidden, Invalid, NotFound

LEFT_OUT_BY_DISPATCHER = "left out by the dispatcher"
RISK_SLACK_MIN = 30  # an ETA this close to the SLA deadline is at risk


@dataclass
class PlanContext:
    start: datetime
    techs: dict[str, PlanTech]
    jobs: dict[str, PlanJob]
    stock: dict[tuple[str, str], int]
    travel: TravelModel


def plan_start(record: DispatchPlan) -> datetime:
    """The moment the plan's clock starts (minute 0 of its routes)."""
    for key in ("plannedFrom", "startAt"):
        if record.params.get(key):
            return datetime.fromisoformat(record.params[key])
    return record.created_at.astimezone(UTC)


def preview_move(
    db: Session, actor: Actor, plan_id: uuid.UUID, ticket_id: str, technician_id: str | None
) -> dict[str, Any]:
    """The plan as it would be with `ticket_id` on `technician_id`'s route (None: left
    out), with re-timed routes, and the rules the move breaks. Changes nothing."""
    record = ready_plan(db, actor, plan_id, lock=False)
    return _moved(db, record, ticket_id, technician_id)


def apply_move(
    db: Session, actor: Actor, plan_id: uuid.UUID, ticket_id: str, technician_id: str | None
) -> dict[str, Any]:
    """Make the move on the plan (see preview_move) and note who made it."""
    record = ready_plan(db, actor, plan_id, lock=True)
    result = _moved(db, record, ticket_id, technician_id)
    record.routes, record.unassigned = result["routes"], result["unassigned"]
    record.summary = {**result["summary"], "seconds": record.summary.get("seconds", 0)}
    record.params = {
        **record.params,
        "overrides": [
            *record.params.get("overrides", []),
            {
                "ticketId": ticket_id,
                "number": result["moved"]["number"],
                "from": result["moved"]["from"],
                "to": technician_id,
                "by": str(actor.user_id),
                "at": datetime.now(UTC).isoformat(),
            },
        ],
    }
    db.add(record)
    target = result["moved"]["toName"] or "left out"
    audit.record(
        db,
        actor,
        "dispatch.override",
        "dispatch_plan",
        record.id,
        f"ticket #{result['moved']['number']} to {target}",
    )
    return result


def ready_plan(db: Session, actor: Actor, plan_id: uuid.UUID, *, lock: bool) -> DispatchPlan:
    """The plan, if the actor may change it and it is still ready. Raises Forbidden,
    NotFound or Conflict."""
    if not actor.roles & DISPATCHERS:
        raise Forbidden("only a dispatcher or service manager changes a plan")
    record = db.get(DispatchPlan, plan_id, with_for_update=lock)
    if record is None:
        raise NotFound(f"No dispatch plan {plan_id}")
    if record.status != "ready":
        raise Conflict(f"A plan that is {record.status} cannot be changed")
    return record


def _moved(
    db: Session, record: DispatchPlan, ticket_id: str, technician_id: str | None
) -> dict[str, Any]:
    routes = [dict(r) for r in record.routes]
    by_tech = {r["technicianId"]: r for r in routes}
    if technician_id is not None and technician_id not in by_tech:
        raise Invalid("technicianId", "is not a technician of this plan")
    source, stop = _find(routes, ticket_id)
    left = next((u for u in record.unassigned if u["ticketId"] == ticket_id), None)
    if stop is None and left is None:
        raise Invalid("ticketId", "is not a ticket of this plan")
    if stop is not None and stop["pinned"]:
        raise Conflict(f"Ticket #{stop['number']} is under way with its technician; it cannot move")
    if source is not None and source["technicianId"] == technician_id:
        raise Invalid("technicianId", "already has this ticket")
    if source is None and technician_id is None:
        raise Invalid("technicianId", "choose a technician: the ticket is already left out")
    ctx = plan_context(db, record)
    if ticket_id not in ctx.jobs:
        raise Conflict("That ticket is no longer open; optimise again")
    number = (stop or left)["number"]
    unassigned = [u for u in record.unassigned if u["ticketId"] != ticket_id]
    changed: list[str] = []
    if source is not None:
        rest = [s["ticketId"] for s in source["stops"] if s["ticketId"] != ticket_id]
        source["stops"] = timed_route(ctx, source["technicianId"], rest)
        changed.append(source["technicianId"])
    if technician_id is None:
        job = ctx.jobs[ticket_id]
        unassigned.append(
            {
                "ticketId": ticket_id,
                "number": job.number,
                "priority": job.priority,
                "deviceType": job.device_type,
                "facility": job.facility,
                "lat": job.place.lat,
                "lng": job.place.lng,
                "reason": LEFT_OUT_BY_DISPATCHER,
            }
        )
    else:
        target = by_tech[technician_id]
        current = [s["ticketId"] for s in target["stops"]]
        target["stops"] = best_insertion(ctx, technician_id, current, ticket_id)
        changed.append(technician_id)
    for route in routes:
        if route["technicianId"] not in changed:
            route["stops"] = [{**s, "violations": s.get("violations", [])} for s in route["stops"]]
    violations = [
        {
            "technicianId": r["technicianId"],
            "technician": r["technician"],
            "number": s["number"],
            "message": v,
        }
        for r in routes
        if r["technicianId"] in changed
        for s in r["stops"]
        for v in s["violations"]
    ]
    violations += [
        {
            "technicianId": r["technicianId"],
            "technician": r["technician"],
            "number": None,
            "message": v,
        }
        for r in routes
        if r["technicianId"] in changed
        for v in route_violations(ctx, r)
    ]
    return {
        "routes": routes,
        "unassigned": unassigned,
        "changed": changed,
        "violations": violations,
        "summary": summarise(routes, unassigned),
        "moved": {
            "ticketId": ticket_id,
            "number": number,
            "from": source["technicianId"] if source else None,
            "to": technician_id,
            "toName": by_tech[technician_id]["technician"] if technician_id else "",
        },
    }


def _find(routes: list[dict], ticket_id: str) -> tuple[dict | None, dict | None]:
    for route in routes:
        for stop in route["stops"]:
            if stop["ticketId"] == ticket_id:
                return route, stop
    return None, None


def plan_context(db: Session, record: DispatchPlan) -> PlanContext:
    """The technicians (with those called out for this plan on call), open tickets, free
    parts and travel model a plan is re-timed with, as they are now."""
    start = plan_start(record)
    stock = free_stock(db)
    called_out = frozenset(record.params.get("calledOut", []))
    return PlanContext(
        start,
        {t.id: t for t in load_technicians(db, start, called_out)},
        {j.ticket_id: j for j in load_jobs(db, start)},
        stock,
        TravelModel(),
    )


def _minutes(ctx: PlanContext, a: Place, b: Place) -> int:
    """Whole minutes as the optimizer's matrix has them."""
    if a == b:
        return 0
    return max(1, round(ctx.travel.minutes(a, b, ctx.start)))


def timed_route(ctx: PlanContext, technician_id: str, ticket_ids: list[str]) -> list[dict]:
    """Stops of a route in this order, with ETAs from the technician's shift start and the
    rules each stop breaks."""
    tech = ctx.techs.get(technician_id)
    stops: list[dict] = []
    clock = tech.window[0] if tech else 0
    here = tech.place if tech else None
    for ticket_id in ticket_ids:
        job = ctx.jobs.get(ticket_id)
        if job is None:
            continue  # closed since the plan was made: nothing left to do there
        travel = _minutes(ctx, here, job.place) if here is not None else 0
        begin = max(clock + travel, job.window[0])
        late = max(0, begin - job.deadline) if job.deadline is not None else 0
        stops.append(
            {
                "ticketId": job.ticket_id,
                "number": job.number,
                "priority": job.priority,
                "deviceType": job.device_type,
                "facility": job.facility,
                "lat": job.place.lat,
                "lng": job.place.lng,
                "eta": (ctx.start + timedelta(minutes=begin)).isoformat(),
                "travelMinutes": travel,
                "serviceMinutes": job.service,
                "lateMinutes": late,
                "pinned": job.status in PINNED_STATUSES,
                "deadline": (ctx.start + timedelta(minutes=job.deadline)).isoformat()
                if job.deadline is not None
                else None,
                "violations": _stop_violations(ctx, tech, job, begin, late),
            }
        )
        clock, here = begin + job.service, job.place
    return stops


def _clock(ctx: PlanContext, minute: int) -> str:
    return (ctx.start + timedelta(minutes=minute)).astimezone(IST).strftime("%H:%M")


def _stop_violations(
    ctx: PlanContext, tech: PlanTech | None, job: PlanJob, begin: int, late: int
) -> list[str]:
    if tech is None:
        return ["the technician is no longer on shift"]
    found = []
    if job.device_type and job.device_type not in tech.skills:
        found.append(f"{tech.name} is not skilled for {job.device_type}")
    short = [
        p["code"]
        for p in job.parts
        if ctx.stock.get((tech.hub_id or "", p["partId"]), 0) < p["qty"]
    ]
    if short:
        found.append(f"parts not free at {tech.name}'s hub: {', '.join(short)}")
    if begin > job.window[1]:
        found.append(
            f"arrives {_clock(ctx, begin)}, after the facility closes "
            f"({_clock(ctx, job.window[1])})"
        )
    if late:
        found.append(f"{job.priority} SLA missed by {late} min")
    return found


def route_violations(ctx: PlanContext, route: dict) -> list[str]:
    """The route's own broken rules: more jobs than a day takes, back after the shift."""
    tech = ctx.techs.get(route["technicianId"])
    if tech is None or not route["stops"]:
        return []
    found = []
    if len(route["stops"]) > tech.capacity:
        found.append(f"{len(route['stops'])} jobs, more than {tech.name}'s {tech.capacity} a day")
    last = route["stops"][-1]
    job = ctx.jobs[last["ticketId"]]
    done = _offset(ctx, last["eta"]) + job.service + _minutes(ctx, job.place, tech.home)
    if done > tech.window[1]:
        found.append(
            f"back at base {_clock(ctx, done)}, {done - tech.window[1]} min after the shift ends"
        )
    return found


def _offset(ctx: PlanContext, stamp: str) -> int:
    return int((datetime.fromisoformat(stamp) - ctx.start).total_seconds() // 60)


def best_insertion(
    ctx: PlanContext, technician_id: str, current: list[str], ticket_id: str
) -> list[dict]:
    """The route with the ticket where it breaks fewest rules, then costs least lateness
    (weighted by priority), then adds least travel; pinned stops keep their place."""
    first = sum(1 for t in current if ctx.jobs.get(t) and ctx.jobs[t].status in PINNED_STATUSES)
    best, best_key = None, None
    for at in range(first, len(current) + 1):
        order = current[:at] + [ticket_id] + current[at:]
        stops = timed_route(ctx, technician_id, order)
        route = {"technicianId": technician_id, "stops": stops}
        broken = sum(len(s["violations"]) for s in stops) + len(route_violations(ctx, route))
        lateness = sum(
            s["lateMinutes"] * PRIORITY_COSTS.get(s["priority"], (0, 1))[1] for s in stops
        )
        key = (broken, lateness, sum(s["travelMinutes"] for s in stops))
        if best_key is None or key < best_key:
            best, best_key = stops, key
    return best or []


def sla_risk(stop: dict) -> str:
    """'late', 'at risk' (ETA within 30 min of the deadline) or 'on time'."""
    if stop.get("lateMinutes"):
        return "late"
    if stop.get("deadline"):
        slack = (
            datetime.fromisoformat(stop["deadline"]) - datetime.fromisoformat(stop["eta"])
        ).total_seconds() / 60
        if slack < RISK_SLACK_MIN:
            return "at risk"
    return "on time"


def summarise(routes: list[dict], unassigned: list[dict]) -> dict[str, Any]:
    stops = [s for r in routes for s in r["stops"]]
    return {
        "assigned": len(stops),
        "unassigned": len(unassigned),
        "travelMinutes": sum(s["travelMinutes"] for s in stops),
        "lateP1": sum(1 for s in stops if s["priority"] == "P1" and s["lateMinutes"] > 0),
        "techniciansUsed": sum(1 for r in routes if r["stops"]),
    }
