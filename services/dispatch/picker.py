"""Who could take this ticket? The dispatcher's picker for a manual move: every technician
of the plan once, with hub, skills, today's load and the ETA at the job were it put in
their route where it fits best, sorted by fit (fewest broken rules, then least late, then
soonest). Two people of the same name are told apart by hub, then employee code, phone's
last digits or e-mail."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.common.clock import IST
from services.dispatch.models import DispatchPlan
from services.dispatch.override import (
    PlanContext,
    best_insertion,
    plan_context,
    ready_plan,
    route_violations,
)
from services.errors import Conflict, Invalid


def technician_people(db: Session) -> dict[str, dict[str, str]]:
    """Each technician's name, hub and what tells namesakes apart, by technician id."""
    rows = db.execute(
        text("""
        SELECT t.id, u.full_name, u.email, t.employee_code, t.phone,
               coalesce(a.name, 'no hub') AS hub
          FROM technician t JOIN users u ON u.id = t.user_id
          LEFT JOIN service_areas a ON a.id = t.home_area_id""")
    ).mappings()
    return {
        str(r["id"]): {
            "name": r["full_name"],
            "hub": r["hub"],
            "tag": r["employee_code"]
            or (f"phone …{r['phone'][-4:]}" if r["phone"] else r["email"].split("@")[0]),
        }
        for r in rows
    }


def display_names(people: dict[str, dict[str, str]], ids: list[str]) -> dict[str, str]:
    """A name per technician that no one else in `ids` shares: the name; with the hub
    for namesakes; with the hub and employee code (or phone, or e-mail) for namesakes
    of the same hub."""
    names = Counter(people[i]["name"] for i in ids if i in people)
    pairs = Counter((people[i]["name"], people[i]["hub"]) for i in ids if i in people)
    shown = {}
    for i in ids:
        person = people.get(i)
        if person is None:
            continue
        label = person["name"]
        if names[person["name"]] > 1:
            label += f" ({person['hub']}"
            if pairs[(person["name"], person["hub"])] > 1:
                label += f", {person['tag']}"
            label += ")"
        shown[i] = label
    return shown


def insertion_for(
    ctx: PlanContext, route: dict[str, Any], ticket_id: str
) -> tuple[dict, list[dict], list[str]]:
    """The ticket's stop, the route's new stops and the rules broken, were the ticket put
    in `route` where it fits best."""
    current = [s["ticketId"] for s in route["stops"] if s["ticketId"] != ticket_id]
    stops = best_insertion(ctx, route["technicianId"], current, ticket_id)
    stop = next(s for s in stops if s["ticketId"] == ticket_id)
    broken = [v for s in stops for v in s["violations"]] + route_violations(
        ctx, {"technicianId": route["technicianId"], "stops": stops}
    )
    return stop, stops, broken


def _hhmm(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %H:%M")


def technician_choices(
    db: Session, actor: Actor, plan_id: uuid.UUID, ticket_id: str
) -> list[dict[str, Any]]:
    """The plan's technicians who could take `ticket_id` (not the one who has it), each
    once and best fit first: id, shown name, hub, skills, load (jobs today / a day's
    most), ETA (IST), minutes late and the rules the move would break. Raises Forbidden,
    NotFound, Conflict (plan not ready, ticket closed since) or Invalid (not in plan)."""
    record = ready_plan(db, actor, plan_id, lock=False)
    holder = _holder(record, ticket_id)
    ctx = plan_context(db, record)
    job = ctx.jobs.get(ticket_id)
    if job is None:
        raise Conflict("That ticket is no longer open; optimise again")
    people = technician_people(db)
    routes = {r["technicianId"]: r for r in record.routes if r["technicianId"] != holder}
    shown = display_names(people, [r["technicianId"] for r in record.routes])
    choices = []
    for tech_id, route in routes.items():
        tech = ctx.techs.get(tech_id)
        if tech is None:
            continue  # no longer working: not a choice
        stop, _stops, broken = insertion_for(ctx, route, ticket_id)
        load = sum(1 for s in route["stops"] if s["ticketId"] != ticket_id)
        choices.append(
            {
                "technicianId": tech_id,
                "name": shown.get(tech_id, route["technician"]),
                "hub": people.get(tech_id, {}).get("hub", ""),
                "skills": sorted(tech.skills),
                "skilled": job.device_type in tech.skills,
                "load": f"{load}/{tech.capacity}",
                "eta": _hhmm(stop["eta"]),
                "etaAt": stop["eta"],
                "lateMinutes": stop["lateMinutes"],
                "breaks": broken,
            }
        )
    choices.sort(key=lambda c: (not c["skilled"], len(c["breaks"]), c["lateMinutes"], c["etaAt"]))
    return choices


def _holder(record: DispatchPlan, ticket_id: str) -> str | None:
    for route in record.routes:
        if any(s["ticketId"] == ticket_id for s in route["stops"]):
            return route["technicianId"]
    if any(u["ticketId"] == ticket_id for u in record.unassigned):
        return None
    raise Invalid("ticketId", "is not a ticket of this plan")
