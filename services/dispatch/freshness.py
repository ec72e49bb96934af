"""Is the plan on the page still the truth? A plan keeps what it was made from (its
tickets are its routes and left-out list; its technicians as they were are its `basis`),
so when it is shown later it can say when it was made, which tickets opened or closed
since, which technicians changed, and whether it is stale."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import ist_text
from services.dispatch.loading import OPEN_STATUSES, PINNED_STATUSES
from services.dispatch.models import DispatchPlan


def technician_basis(db: Session) -> dict[str, dict[str, Any]]:
    """The organisation's technicians as a plan sees them, by id: what, if changed,
    makes a plan out of date."""
    rows = db.execute(
        text("""
        SELECT t.id, u.full_name, t.status, t.on_call, t.skills, t.shift_start, t.shift_end,
               t.workdays, t.home_area_id
          FROM technician t JOIN users u ON u.id = t.user_id""")
    ).mappings()
    return {
        str(r["id"]): {
            "name": r["full_name"],
            "status": r["status"],
            "onCall": bool(r["on_call"]),
            "skills": sorted(r["skills"]),
            "shift": f"{r['shift_start']:%H:%M}-{r['shift_end']:%H:%M}",
            "workdays": sorted(r["workdays"]),
            "hub": str(r["home_area_id"] or ""),
        }
        for r in rows
    }


def _open_tickets(db: Session) -> dict[str, dict[str, Any]]:
    rows = db.execute(
        text("""
        SELECT id, number, priority FROM ticket
         WHERE service_partner_tenant_id = app_tenant() AND status = ANY(:statuses)"""),
        {"statuses": list(OPEN_STATUSES + PINNED_STATUSES)},
    ).mappings()
    return {str(r["id"]): {"number": r["number"], "priority": r["priority"]} for r in rows}


def _planned(record: DispatchPlan) -> dict[str, dict[str, Any]]:
    found = {
        s["ticketId"]: {"number": s["number"], "priority": s["priority"]}
        for r in record.routes
        for s in r["stops"]
    }
    for u in record.unassigned:
        found[u["ticketId"]] = {"number": u["number"], "priority": u["priority"]}
    return found


def _what_changed(before: dict[str, Any], now: dict[str, Any]) -> str:
    if before["status"] != now["status"]:
        return f"now {now['status']}"
    if before["onCall"] != now["onCall"]:
        return "now on call" if now["onCall"] else "no longer on call"
    if before["skills"] != now["skills"]:
        return "skills changed"
    if before["shift"] != now["shift"] or before["workdays"] != now["workdays"]:
        return f"shift changed to {now['shift']}"
    if before["hub"] != now["hub"]:
        return "moved to another hub"
    return ""


def _technician_changes(record: DispatchPlan, db: Session) -> list[dict[str, str]]:
    before = record.basis.get("technicians")
    if not before:  # made before plans kept their basis: nothing to compare with
        return []
    now = technician_basis(db)
    changes = [{"name": now[i]["name"], "change": "joined"} for i in now.keys() - before.keys()] + [
        {"name": before[i]["name"], "change": "left"} for i in before.keys() - now.keys()
    ]
    for i in before.keys() & now.keys():
        change = _what_changed(before[i], now[i])
        if change:
            changes.append({"name": now[i]["name"], "change": change})
    return sorted(changes, key=lambda c: c["name"])


def plan_changes(db: Session, record: DispatchPlan) -> dict[str, Any]:
    """When the plan was made (IST) and what changed since: tickets opened (open now, not
    in the plan), tickets closed (in the plan, no longer open) and technicians changed.
    `stale` when any of these is true; a plan still being made is never stale."""
    made = record.finished_at or record.created_at
    if record.status not in ("ready", "accepted"):
        return {
            "madeAt": ist_text(made),
            "opened": [],
            "closed": [],
            "technicians": [],
            "stale": False,
        }
    now, planned = _open_tickets(db), _planned(record)
    opened = sorted(
        (t for i, t in now.items() if i not in planned), key=lambda t: (t["priority"], t["number"])
    )
    closed = sorted(
        (t for i, t in planned.items() if i not in now), key=lambda t: (t["priority"], t["number"])
    )
    technicians = _technician_changes(record, db)
    return {
        "madeAt": ist_text(made),
        "opened": opened,
        "closed": closed,
        "technicians": technicians,
        "stale": bool(opened or closed or technicians),
    }


def change_lines(changes: dict[str, Any]) -> list[str]:
    """What changed since the plan was made, in a dispatcher's words, one line each."""
    lines = []
    if changes["opened"]:
        tickets = ", ".join(f"{t['priority']} #{t['number']}" for t in changes["opened"])
        lines.append(
            f"{len(changes['opened'])} ticket(s) opened since, not in this plan: {tickets}"
        )
    if changes["closed"]:
        tickets = ", ".join(f"{t['priority']} #{t['number']}" for t in changes["closed"])
        lines.append(f"{len(changes['closed'])} ticket(s) of this plan closed since: {tickets}")
    for tech in changes["technicians"]:
        lines.append(f"{tech['name']}: {tech['change']}")
    return lines
