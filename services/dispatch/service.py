"""The life of a dispatch plan: asked for, optimised in a worker with progress, then
accepted (tickets move to `assigned` with their technician) or superseded."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.common.roles import DISPATCHERS
from services.db import tenant_session
from services.dispatch.freshness import technician_basis
from services.dispatch.models import DispatchPlan
from services.dispatch.planner import plan
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.tickets.models import Ticket
from services.tickets.service import change_status

MAX_SECONDS = 60
STALE_AFTER_S = 180  # past its time limit by this much, a plan is not coming


def request_plan(
    db: Session, actor: Actor, seconds: object = 10, start_at: datetime | None = None
) -> DispatchPlan:
    """Queue an optimisation of the organisation's open tickets from `start_at` (default:
    when the worker runs; a dispatcher may plan the next shift ahead). The caller sends
    the worker task. Raises Forbidden or Invalid (time limit outside 1–60 s, a start in
    the past or more than two days ahead)."""
    if not actor.roles & DISPATCHERS:
        raise Forbidden("only a dispatcher or service manager plans dispatch")
    try:
        limit = float(seconds)
    except (TypeError, ValueError) as exc:
        raise Invalid("timeLimitSeconds", "must be a number of seconds") from exc
    if not 1 <= limit <= MAX_SECONDS:
        raise Invalid("timeLimitSeconds", f"must be from 1 to {MAX_SECONDS} seconds")
    params: dict[str, Any] = {"timeLimitSeconds": limit}
    if start_at is not None:
        if start_at.tzinfo is None:
            raise Invalid("startAt", "give a time zone, e.g. 2026-11-26T09:00:00+05:30")
        ahead = (start_at - datetime.now(UTC)).total_seconds()
        if not -300 <= ahead <= 2 * 86400:
            raise Invalid("startAt", "must be from now to two days ahead")
        params["startAt"] = start_at.isoformat()
    record = DispatchPlan(tenant_id=actor.tenant_id, params=params, created_by=actor.user_id)
    db.add(record)
    db.flush()
    audit.record(
        db,
        actor,
        "dispatch.plan",
        "dispatch_plan",
        record.id,
        f"optimisation asked for, {limit:g} s",
    )
    return record


def run_plan(actor: Actor, plan_id: uuid.UUID) -> str:
    """Optimise a queued plan (in a worker), writing progress as the search improves.
    Any failure is written on the plan, so nobody waits for a plan that will not come."""
    try:
        return _run(actor, plan_id)
    except Exception as exc:  # noqa: BLE001 - recorded on the plan, then raised for the log
        _write(actor, plan_id, status="failed", error=str(exc)[:500], finished_at=datetime.now(UTC))
        raise


def _run(actor: Actor, plan_id: uuid.UUID) -> str:
    with tenant_session(actor) as db:
        record = db.get(DispatchPlan, plan_id)
        if record is None or record.status != "queued":
            return "skipped"
        record.status = "running"
        db.add(record)
        seconds = float(record.params.get("timeLimitSeconds", 10))
        start = (
            datetime.fromisoformat(record.params["startAt"])
            if record.params.get("startAt")
            else None
        )
    trail: list[dict] = []
    last_write = [0.0]

    def progress(step: dict) -> None:
        trail.append(step)
        if time.monotonic() - last_write[0] >= 0.5:  # at most twice a second
            last_write[0] = time.monotonic()
            _write(actor, plan_id, progress=trail[-50:])

    start = start or datetime.now(UTC)
    with tenant_session(actor) as db:
        basis = {"technicians": technician_basis(db)}
        result = plan(db, start=start, seconds=seconds, on_progress=progress)
        add_deadlines(db, result["routes"])
        params = {**db.get(DispatchPlan, plan_id).params, "plannedFrom": start.isoformat()}
    _write(
        actor,
        plan_id,
        status="ready",
        progress=trail[-50:],
        routes=result["routes"],
        params=params,
        basis=basis,
        unassigned=result["unassigned"],
        summary=result["summary"],
        finished_at=datetime.now(UTC),
    )
    return "ready"


def add_deadlines(db: Session, routes: list[dict]) -> None:
    """Each stop's SLA deadline, so the map and the table can show the risk."""
    ids = [s["ticketId"] for r in routes for s in r["stops"]]
    if not ids:
        return
    due = {
        str(t.id): t.response_due_at
        for t in db.exec(select(Ticket).where(Ticket.id.in_([uuid.UUID(i) for i in ids])))
    }
    for route in routes:
        for stop in route["stops"]:
            moment = due.get(stop["ticketId"])
            stop["deadline"] = moment.isoformat() if moment else None


def _write(actor: Actor, plan_id: uuid.UUID, **fields: Any) -> None:
    """Save the plan's progress and announce it (NOTIFY `dispatch_plan_changed`, ids only)
    to the dispatch pages that follow it."""
    with tenant_session(actor) as db:
        record = db.get(DispatchPlan, plan_id)
        for key, value in fields.items():
            setattr(record, key, value)
        db.add(record)
        announce(db, record)


def announce(db: Session, record: DispatchPlan) -> None:
    """Tell the dispatch pages that follow plans (NOTIFY `dispatch_plan_changed`, ids
    only, on commit) that `record` changed."""
    db.execute(
        text("SELECT pg_notify('dispatch_plan_changed', :payload)"),
        {
            "payload": json.dumps(
                {"id": str(record.id), "tenantId": str(record.tenant_id), "status": record.status}
            )
        },
    )


def get_plan(db: Session, plan_id: uuid.UUID) -> DispatchPlan:
    record = db.get(DispatchPlan, plan_id)
    if record is None:
        raise NotFound(f"No dispatch plan {plan_id}")
    return record


def plan_json(record: DispatchPlan) -> dict[str, Any]:
    status, error = record.status, record.error
    limit = float(record.params.get("timeLimitSeconds", 10))
    if (
        status in ("queued", "running")
        and (datetime.now(UTC) - record.created_at).total_seconds() > limit + STALE_AFTER_S
    ):
        status, error = "failed", "the optimizer did not finish; ask for a new plan"
    return {
        "planId": str(record.id),
        "status": status,
        "params": record.params,
        "progress": record.progress,
        "routes": record.routes,
        "unassigned": record.unassigned,
        "summary": record.summary,
        "error": error,
        "createdAt": record.created_at.isoformat(),
        "finishedAt": record.finished_at.isoformat() if record.finished_at else None,
        "acceptedAt": record.accepted_at.isoformat() if record.accepted_at else None,
    }


def p1_at_risk(record: DispatchPlan) -> list[dict[str, Any]]:
    """The plan's P1s left out or planned past their SLA deadline, each with what a
    dispatcher must know: number, device, site, and how late or why left out."""
    late = [
        {
            "ticketId": s["ticketId"],
            "number": s["number"],
            "deviceType": s["deviceType"],
            "facility": s["facility"],
            "problem": f"{s['lateMinutes']} min late with {r['technician']}",
        }
        for r in record.routes
        for s in r["stops"]
        if s["priority"] == "P1" and s["lateMinutes"] > 0
    ]
    out = [
        {
            "ticketId": u["ticketId"],
            "number": u["number"],
            "deviceType": u["deviceType"],
            "facility": u["facility"],
            "problem": "left out",
        }
        for u in record.unassigned
        if u["priority"] == "P1"
    ]
    return out + late


def p1_words(p1s: list[dict[str, Any]]) -> str:
    """'P1 #1004 (MRI, City Hospital) left out; P1 #1007 … 40 min late with Asha'."""
    return "; ".join(
        f"P1 #{p['number']} ({p['deviceType'] or 'device'}, {p['facility']}) {p['problem']}"
        for p in p1s
    )


def accept_plan(db: Session, actor: Actor, plan_id: uuid.UUID, acknowledge_p1: bool = False) -> int:
    """Give every planned ticket to its technician: the ticket moves to `assigned` (stops
    already under way stay as they are) and `DispatchAssigned` is emitted. A plan that
    leaves a P1 out or has one late is accepted only with `acknowledge_p1` (Conflict
    naming them otherwise), and then emits `DispatchP1Acknowledged` so someone follows
    them up; technicians called out for the plan get `DispatchCalledOut`; the tickets an
    automatic proposal slotted in are marked so the hospital hears too. Raises
    Conflict unless the plan is ready. Returns how many tickets were assigned."""
    if not actor.roles & DISPATCHERS:
        raise Forbidden("only a dispatcher or service manager accepts a plan")
    record = db.get(DispatchPlan, plan_id, with_for_update=True)
    if record is None:
        raise NotFound(f"No dispatch plan {plan_id}")
    if record.status != "ready":
        raise Conflict(f"A plan that is {record.status} cannot be accepted")
    p1s = p1_at_risk(record)
    if p1s and not acknowledge_p1:
        raise Conflict(
            f"This plan does not keep every P1: {p1_words(p1s)}. Accept it only "
            "acknowledging that (acknowledgeLateP1), or change the plan first"
        )
    moved = 0
    slotted = set((record.params.get("trigger") or {}).get("ticketIds") or [])
    for route in record.routes:
        for order, stop in enumerate(route["stops"], start=1):
            if stop["pinned"]:
                continue
            ticket = db.get(Ticket, uuid.UUID(stop["ticketId"]))
            if ticket is None:
                continue
            if ticket.status != "assigned":
                change_status(
                    db,
                    actor,
                    ticket.id,
                    "assigned",
                    f"dispatch plan: {route['technician']}, stop {order}",
                )
            ticket.technician_id = uuid.UUID(route["technicianId"])
            db.add(ticket)
            emit(
                db,
                actor,
                "DispatchAssigned",
                "ticket",
                ticket.id,
                {
                    "planId": str(record.id),
                    "technicianId": route["technicianId"],
                    "stop": order,
                    "eta": stop["eta"],
                    "slottedIn": stop["ticketId"] in slotted,
                },
            )
            moved += 1
    for older in db.exec(
        select(DispatchPlan).where(DispatchPlan.status == "ready", DispatchPlan.id != record.id)
    ):
        older.status = "superseded"
        db.add(older)
    record.status, record.accepted_at = "accepted", datetime.now(UTC)
    db.add(record)
    _announce(db, actor, record, p1s)
    audit.record(
        db, actor, "dispatch.accept", "dispatch_plan", record.id, f"{moved} tickets assigned"
    )
    return moved


def _announce(db: Session, actor: Actor, record: DispatchPlan, p1s: list[dict]) -> None:
    """Events for what others must act on once a plan is accepted: P1s it does not keep,
    and technicians called out of their off-shift time."""
    if p1s:
        emit(
            db,
            actor,
            "DispatchP1Acknowledged",
            "dispatch_plan",
            record.id,
            {"p1": p1s, "message": p1_words(p1s)},
        )
    for route in record.routes:
        if route["technicianId"] in record.params.get("calledOut", []) and route["stops"]:
            emit(
                db,
                actor,
                "DispatchCalledOut",
                "technician",
                route["technicianId"],
                {
                    "planId": str(record.id),
                    "ticketIds": [s["ticketId"] for s in route["stops"]],
                    "firstEta": route["stops"][0]["eta"],
                },
            )
