"""Urgent work slotted in by itself. When a P1 or P2 opens on a day that has an accepted
plan, the optimiser proposes today's routes with the new job in them: the planner keeps
the accepted routes and slots urgent work in where it fits, bumping at most one less
urgent job (`insertion.py`), and searches afresh only when that cannot serve it in time.
The proposal is a ready plan that says why it was made and what it changes; the
dispatchers are told (`DispatchProposed`) and accept it with one click (`accept_plan`,
which tells the technician and the hospital) or reject it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from services.actor import Actor, Role, TenantKind
from services.audit import service as audit
from services.common.clock import IST, ist_text, today_ist
from services.common.roles import DISPATCHERS
from services.db import tenant_session
from services.dispatch.models import DispatchPlan
from services.dispatch.service import request_plan, run_plan
from services.errors import Conflict, Forbidden, NotFound
from services.events.service import emit
from services.tickets.models import Ticket

URGENT = ("P1", "P2")
SLOT_IN_SECONDS = 5  # the slot-in itself takes well under a second; a fresh search, this
WAITING = ("open", "acknowledged", "reopened")
# A ticket older than this (the workers were down) is left to the dispatcher's own re-plan:
# a proposal made from a stale picture would mislead more than help.
FRESH_FOR = timedelta(minutes=15)


def _optimiser(tenant_id: uuid.UUID) -> Actor:
    return Actor(
        None, tenant_id, TenantKind.SERVICE_PARTNER, frozenset({Role.DISPATCHER}), "Auto re-plan"
    )


def _stops(record: DispatchPlan) -> dict[str, tuple[dict, dict, int]]:
    """Each planned ticket id → (route, stop, position from 1)."""
    return {
        stop["ticketId"]: (route, stop, k)
        for route in record.routes or []
        for k, stop in enumerate(route.get("stops", []), start=1)
    }


def accepted_today(db: Session) -> DispatchPlan | None:
    """The organisation's newest accepted plan with a stop due today (IST)."""
    today = today_ist()
    plans = db.exec(
        select(DispatchPlan)
        .where(DispatchPlan.status == "accepted")
        .order_by(DispatchPlan.accepted_at.desc())
        .limit(10)
    )
    for record in plans:
        etas = [stop.get("eta") for _, stop, _ in _stops(record).values() if stop.get("eta")]
        if any(datetime.fromisoformat(eta).astimezone(IST).date() == today for eta in etas):
            return record
    return None


def _proposal_for(db: Session, ticket_id: uuid.UUID) -> DispatchPlan | None:
    return db.exec(
        select(DispatchPlan).where(
            DispatchPlan.params["trigger"]["ticketId"].astext == str(ticket_id)
        )
    ).first()


def propose_slot_in(partner_id: uuid.UUID, ticket_id: uuid.UUID) -> uuid.UUID | None:
    """Propose today's routes with urgent ticket `ticket_id` slotted in, once per ticket,
    when the servicing organisation has a plan accepted for today; runs the optimiser here
    (in the worker). Returns the proposal's id, or None when there is nothing to re-plan."""
    actor = _optimiser(partner_id)
    with tenant_session(actor) as db:
        if (earlier := _proposal_for(db, ticket_id)) is not None:
            return earlier.id
        accepted = accepted_today(db)
        ticket = db.get(Ticket, ticket_id)
        if accepted is None or ticket is None or ticket.status not in WAITING:
            return None
        if accepted.accepted_at is not None and ticket.opened_at <= accepted.accepted_at:
            return None  # open when the day's plan was accepted: the dispatcher saw it then
        if datetime.now(UTC) - ticket.opened_at > FRESH_FOR or _replanning(db, ticket):
            return None
        record = request_plan(db, actor, SLOT_IN_SECONDS)
        record.params = {
            **record.params,
            "trigger": {
                "kind": "urgent",
                "ticketId": str(ticket.id),
                "number": ticket.number,
                "priority": ticket.priority,
                "acceptedPlanId": str(accepted.id),
            },
        }
        db.add(record)
        plan_id, accepted_id = record.id, accepted.id
    run_plan(actor, plan_id)
    with tenant_session(actor) as db:
        record = db.get(DispatchPlan, plan_id, with_for_update=True)
        proposal = describe(record, db.get(DispatchPlan, accepted_id), ticket_id)
        record.params = {**record.params, "proposal": proposal}
        if _overtaken(db, record):  # the dispatcher accepted a plan of their own meanwhile
            record.status = "superseded"
        db.add(record)
        if record.status == "ready":
            emit(db, actor, "DispatchProposed", "dispatch_plan", record.id, proposal)
    return plan_id


def _replanning(db: Session, ticket: Ticket) -> bool:
    """Has a dispatcher asked for a plan since the ticket opened? Theirs takes it in."""
    return (
        db.exec(
            select(DispatchPlan.id).where(
                DispatchPlan.status.in_(("queued", "running", "ready")),
                DispatchPlan.created_at >= ticket.opened_at,
                DispatchPlan.created_by.is_not(None),
            )
        ).first()
        is not None
    )


def _overtaken(db: Session, record: DispatchPlan) -> bool:
    """Was a plan accepted after this proposal was asked for?"""
    return (
        db.exec(
            select(DispatchPlan.id).where(
                DispatchPlan.status == "accepted", DispatchPlan.accepted_at > record.created_at
            )
        ).first()
        is not None
    )


def describe(record: DispatchPlan, accepted: DispatchPlan, ticket_id: uuid.UUID) -> dict:
    """What a proposal changes against the accepted plan, in words a dispatcher reads."""
    trigger = record.params.get("trigger", {})
    label = f"{trigger.get('priority', '')} #{trigger.get('number', '')}"
    now, before = _stops(record), _stops(accepted)
    proposal: dict[str, Any] = {"ticketId": str(ticket_id), "ticket": label, "fits": False}
    if record.status != "ready" or str(ticket_id) not in now:
        why = next(
            (u.get("reason") for u in record.unassigned or [] if u["ticketId"] == str(ticket_id)),
            record.error or "the optimiser found no technician who can reach it in time",
        )
        proposal["text"] = f"{label} opened and could not be slotted into today's routes: {why}."
        return proposal
    route, stop, position = now[str(ticket_id)]
    bumped = [
        f"{b['priority']} #{b['number']}"
        for key, (_, b, _) in before.items()
        if key not in now and b.get("number")
    ]
    late = f", {stop['lateMinutes']} min past its deadline" if stop.get("lateMinutes") else ""
    text = (
        f"{label} opened: proposed as stop {position} of {route['technician']}'s route, "
        f"ETA {ist_text(stop['eta'], '%H:%M')} IST{late}"
    )
    text += f"; {', '.join(bumped)} moves to the next plan" if bumped else "; nobody is bumped"
    proposal.update(
        fits=True,
        technician=route["technician"],
        stop=position,
        eta=stop["eta"],
        bumped=bumped,
        text=text + ".",
    )
    return proposal


def reject_proposal(db: Session, actor: Actor, plan_id: uuid.UUID) -> None:
    """Set aside a ready plan (an automatic proposal or any other): today's accepted plan
    stays as it is. Raises Forbidden, NotFound or Conflict (not ready)."""
    if not actor.roles & DISPATCHERS:
        raise Forbidden("only a dispatcher or service manager decides on a plan")
    record = db.get(DispatchPlan, plan_id, with_for_update=True)
    if record is None:
        raise NotFound(f"No dispatch plan {plan_id}")
    if record.status != "ready":
        raise Conflict(f"A plan that is {record.status} cannot be rejected")
    record.status = "superseded"
    record.params = {
        **record.params,
        "rejected": {"by": actor.label, "at": datetime.now(UTC).isoformat()},
    }
    db.add(record)
    audit.record(db, actor, "dispatch.reject", "dispatch_plan", record.id, "proposal rejected")
