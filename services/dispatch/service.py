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
        result = plan(db, start=start, seconds=seconds, on_progress=progress)
        _add_deadlines(db, result["routes"])
        params = {**db.get(DispatchPlan, plan_id).params, "plannedFrom": start.isoformat()}
    _write(
        actor,
        plan_id,
        status="ready",
        progress=trail[-50:],
        routes=result["routes"],
        params=params,
        unassigned=result["unassigned"],
        summary=result["summary"],
        finished_at=datetime.now(UTC),
    )
    return "ready"


def _add_deadlines(db: Session, routes: list[dict]) -> None:
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
        db.execute(
            text("SELECT pg_notify('dispatch_plan_changed', :payload)"),
            {
                "payload": json.dumps(
                    {"id": str(plan_id), "tenantId": str(actor.tenant_id), "status": record.status}
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


def accept_plan(db: Session, actor: Actor, plan_id: uuid.UUID) -> int:
    """Give every planned ticket to its technician: the ticket moves to `assigned` (stops
    already under way stay as they are) and `DispatchAssigned` is emitted. Raises
    Conflict unless the plan is ready. Returns how many tickets were assigned."""
    if not actor.roles & DISPATCHERS:
        raise Forbidden("only a dispatcher or service manager accepts a plan")
    record = db.get(DispatchPlan, plan_id, with_for_update=True)
    if record is None:
        raise NotFound(f"No dispatch plan {plan_id}")
    if record.status != "ready":
        raise Conflict(f"A plan that is {record.status} cannot be accepted")
    moved = 0
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
    audit.record(
        db, actor, "dispatch.accept", "dispatch_plan", record.id, f"{moved} tickets assigned"
    )
    return moved
