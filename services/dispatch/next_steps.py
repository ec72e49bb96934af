"""What to do about a P1 no route can take in time. For each P1 a ready plan leaves out
(or plans past its SLA deadline), the dispatcher is offered actions, each with its consequences worked out before it is
applied (the ETA, how late against the SLA, which other stops move and the rules it
breaks):

- call out an off-shift technician: they start now, from where they are;
- use another hub: the best-placed skilled technician of a hub other than the nearest;
- assign anyway: the technician it hurts least, whatever rule it breaks;
- let the OEM know: the maker is told (`DispatchOemAlerted`) and the ticket stays out.

Applying one changes the plan as a manual move does (services.dispatch.override), so the
plan is still accepted as a whole; a call-out is kept on the plan and announced when the
plan is accepted.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.common.clock import IST
from services.dispatch.loading import PlanJob
from services.dispatch.override import PlanContext, apply_move, plan_context, ready_plan
from services.dispatch.picker import display_names, insertion_for, technician_people
from services.errors import Conflict, Invalid
from services.events.service import emit

ACTIONS = ("call_out", "other_hub", "assign_anyway", "tell_oem")


def _hhmm(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %H:%M")


def _evaluate(ctx: PlanContext, route: dict, job: PlanJob) -> dict[str, Any]:
    """The consequences of putting `job` in `route` where it fits best."""
    stop, stops, broken = insertion_for(ctx, route, job.ticket_id)
    before = {s["ticketId"]: s for s in route["stops"]}
    moves = [
        f"#{s['number']} {_hhmm(before[s['ticketId']]['eta'])} → {_hhmm(s['eta'])}"
        + (f", {s['lateMinutes']} min late" if s["lateMinutes"] else "")
        for s in stops
        if s["ticketId"] in before and s["eta"] != before[s["ticketId"]]["eta"]
    ]
    return {
        "technicianId": route["technicianId"],
        "eta": _hhmm(stop["eta"]),
        "etaAt": stop["eta"],
        "lateMinutes": stop["lateMinutes"],
        "late": f"{stop['lateMinutes']} min late" if stop["lateMinutes"] else "within the SLA",
        "moves": moves or ["nothing else moves"],
        "breaks": broken,
    }


def _fit(option: dict) -> tuple:
    return (len(option["breaks"]), option["lateMinutes"], option["etaAt"])


def _nearest_hub(ctx: PlanContext, job: PlanJob) -> str | None:
    homes = [t for t in ctx.techs.values() if t.hub_id]
    if not homes:
        return None
    return min(homes, key=lambda t: ctx.travel.minutes(t.home, job.place, ctx.start)).hub_id


def _options(
    ctx: PlanContext, record, job: PlanJob, holder: str | None, names: dict, people: dict
) -> list[dict]:
    routes = [
        r for r in record.routes if r["technicianId"] in ctx.techs and r["technicianId"] != holder
    ]
    skilled = [r for r in routes if job.device_type in ctx.techs[r["technicianId"]].skills]
    options = []
    off = [
        r
        for r in skilled
        if ctx.techs[r["technicianId"]].off_shift and not ctx.techs[r["technicianId"]].on_call
    ]
    called = []
    for r in off:
        tech = ctx.techs[r["technicianId"]]
        trial = replace(ctx, techs={**ctx.techs, tech.id: replace(tech, on_call=True)})
        called.append(_evaluate(trial, r, job))
    if called:
        best = min(called, key=_fit)
        name = names[best["technicianId"]]
        options.append({**best, "action": "call_out", "title": f"Call out {name} (off shift)"})
    home = _nearest_hub(ctx, job)
    away = [_evaluate(ctx, r, job) for r in skilled if ctx.techs[r["technicianId"]].hub_id != home]
    if away:
        best = min(away, key=_fit)
        hub = people.get(best["technicianId"], {}).get("hub", "another hub")
        title = f"Use {hub}: {names[best['technicianId']]}"
        options.append({**best, "action": "other_hub", "title": title})
    anyway = [_evaluate(ctx, r, job) for r in skilled or routes] if holder is None else []
    if anyway:
        best = min(anyway, key=_fit)
        title = f"Assign anyway to {names[best['technicianId']]}"
        options.append({**best, "action": "assign_anyway", "title": title})
    return options


def _p1s_not_kept(record) -> list[dict[str, Any]]:
    """P1s the plan leaves out, then P1s it plans past their SLA deadline (with the
    technician who has them as `holder`)."""
    out = [u for u in record.unassigned if u["priority"] == "P1"]
    late = [
        {
            **s,
            "holder": r["technicianId"],
            "reason": f"planned {s['lateMinutes']} min past its SLA deadline with "
            f"{r['technician']}",
        }
        for r in record.routes
        for s in r["stops"]
        if s["priority"] == "P1" and s["lateMinutes"] > 0 and not s["pinned"]
    ]
    return out + late


def next_steps(db: Session, actor: Actor, plan_id: uuid.UUID) -> list[dict[str, Any]]:
    """For each P1 the ready plan leaves out or has late: the ticket, why, and the actions
    open to the dispatcher with their consequences (see the module docstring; a late P1
    is not offered "assign anyway", and never to the technician who has it); [] when
    every P1 is kept. Raises Forbidden, NotFound or Conflict (plan not ready)."""
    record = ready_plan(db, actor, plan_id, lock=False)
    p1s = _p1s_not_kept(record)
    if not p1s:
        return []
    ctx = plan_context(db, record)
    people = technician_people(db)
    names = display_names(people, [r["technicianId"] for r in record.routes])
    told = {o["ticketId"]: o["at"] for o in record.params.get("oemTold", [])}
    found = []
    for left in p1s:
        job = ctx.jobs.get(left["ticketId"])
        if job is None:
            continue  # closed since the plan was made
        options = _options(ctx, record, job, left.get("holder"), names, people)
        if left.get("eta"):  # planned late already: only what reaches it sooner helps
            sooner = datetime.fromisoformat(left["eta"])
            options = [o for o in options if datetime.fromisoformat(o["etaAt"]) < sooner]
        options.append(
            {
                "action": "tell_oem",
                "technicianId": "",
                "title": "Let the OEM know",
                "eta": "",
                "late": "the ticket stays out of this plan",
                "moves": ["nothing moves"],
                "breaks": [],
                "told": _hhmm(told[job.ticket_id]) if job.ticket_id in told else "",
            }
        )
        found.append({**left, "options": options})
    return found


def apply_next_step(
    db: Session,
    actor: Actor,
    plan_id: uuid.UUID,
    ticket_id: str,
    action: str,
    technician_id: str | None = None,
) -> str:
    """Apply one next step to a P1 the plan leaves out and say what was done. Raises
    Invalid (unknown action, not a left-out P1 of the plan, no technician chosen),
    Forbidden, NotFound or Conflict (plan not ready, OEM already told)."""
    if action not in ACTIONS:
        raise Invalid("action", f"must be one of {', '.join(ACTIONS)}")
    record = ready_plan(db, actor, plan_id, lock=True)
    left = next((p for p in _p1s_not_kept(record) if p["ticketId"] == ticket_id), None)
    if left is None:
        raise Invalid("ticketId", "is not a P1 this plan leaves out or has late")
    if action == "assign_anyway" and left.get("holder"):
        raise Invalid("action", "the P1 is planned already; call someone out or use another hub")
    if action == "tell_oem":
        return _tell_oem(db, actor, record, left)
    if not technician_id:
        raise Invalid("technicianId", "choose the technician")
    if action == "call_out":
        called = [*record.params.get("calledOut", []), technician_id]
        record.params = {**record.params, "calledOut": sorted(set(called))}
        db.add(record)
    result = apply_move(db, actor, plan_id, ticket_id, technician_id)
    route = next(r for r in result["routes"] if r["technicianId"] == technician_id)
    stop = next(s for s in route["stops"] if s["ticketId"] == ticket_id)
    called_out = " (called out)" if action == "call_out" else ""
    return f"P1 #{left['number']} to {route['technician']}{called_out}, ETA {_hhmm(stop['eta'])}"


def _tell_oem(db: Session, actor: Actor, record, left: dict) -> str:
    if any(o["ticketId"] == left["ticketId"] for o in record.params.get("oemTold", [])):
        raise Conflict(f"The OEM already knows about P1 #{left['number']}")
    maker = db.execute(
        text("""
        SELECT e.manufacturer_tenant_id, coalesce(s.name, '') AS model
          FROM ticket t JOIN equipment e ON e.id = t.equipment_id
          LEFT JOIN sku s ON s.id = e.sku_id WHERE t.id = :t"""),
        {"t": left["ticketId"]},
    ).first()
    emit(
        db,
        actor,
        "DispatchOemAlerted",
        "ticket",
        left["ticketId"],
        {
            "planId": str(record.id),
            "number": left["number"],
            "oemTenantId": str(maker[0]) if maker else None,
            "model": maker[1] if maker else "",
            "facility": left["facility"],
            "reason": left["reason"],
        },
    )
    told = {"ticketId": left["ticketId"], "at": datetime.now(UTC).isoformat()}
    record.params = {**record.params, "oemTold": [*record.params.get("oemTold", []), told]}
    db.add(record)
    audit.record(
        db, actor, "dispatch.oem", "dispatch_plan", record.id, f"OEM told of P1 #{left['number']}"
    )
    return f"The OEM is told that P1 #{left['number']} cannot be covered"
