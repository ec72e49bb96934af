"""Urgent work slotted in by itself. When a P1 or P2 opens on a day that has an accepted
plan, the outbox subscriber below queues a slot-in on the workers' urgent queue (a worker
of its own, so it never waits behind a dispatcher's optimisation nor holds one up). The
slot-in keeps the accepted routes and puts the new urgent work in where it fits, bumping
at most one less urgent job (`planner.slot_in`, `insertion.py`); it never searches
afresh, and the tickets of a burst share one proposal. The proposal is a ready plan that
says what it changes; the dispatchers are told (`DispatchProposed`), also when a ticket
cannot be slotted in and why, and accept it with one click (`accept_plan`, which tells
the technician and the hospital) or reject it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, Role, TenantKind
from services.audit import service as audit
from services.common.clock import IST, ist_text, today_ist
from services.common.roles import DISPATCHERS
from services.db import tenant_session
from services.dispatch.flows import queue_slot_in
from services.dispatch.models import DispatchPlan
from services.dispatch.planner import slot_in
from services.dispatch.service import add_deadlines, announce, request_plan
from services.errors import Conflict, Forbidden, NotFound
from services.events.registry import EventView, subscriber
from services.events.service import emit
from services.tickets.models import Ticket

URGENT = ("P1", "P2")
SLOT_IN_SECONDS = 5  # recorded as the plan's limit; the slot-in itself takes under a second
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


def _covers(record: DispatchPlan) -> list[str]:
    trigger = record.params.get("trigger") or {}
    return trigger.get("ticketIds") or [trigger.get("ticketId")]


def _proposals(db: Session, since: datetime) -> list[DispatchPlan]:
    """Automatic proposals asked for since `since`, newest first."""
    return db.exec(
        select(DispatchPlan)
        .where(DispatchPlan.params.has_key("trigger"), DispatchPlan.created_at >= since)
        .order_by(DispatchPlan.created_at.desc())
    ).all()


def _proposal_for(db: Session, ticket_id: uuid.UUID) -> DispatchPlan | None:
    since = datetime.now(UTC) - timedelta(days=2)
    return next((p for p in _proposals(db, since) if str(ticket_id) in _covers(p)), None)


def _waiting(db: Session, partner_id: uuid.UUID, accepted: DispatchPlan) -> list[Ticket]:
    """Urgent tickets opened since the plan was accepted (and recently) that no proposal
    has decided yet, most urgent first: one slot-in takes them all."""
    since = max(accepted.accepted_at or accepted.created_at, datetime.now(UTC) - FRESH_FOR)
    decided = {
        key
        for record in _proposals(db, accepted.accepted_at or accepted.created_at)
        if record.status != "ready"
        for key in _covers(record)
    }
    tickets = db.exec(
        select(Ticket)
        .where(
            Ticket.service_partner_tenant_id == partner_id,
            Ticket.priority.in_(URGENT),
            Ticket.status.in_(WAITING),
            Ticket.opened_at > since,
        )
        .order_by(Ticket.priority, Ticket.opened_at)
    ).all()
    return [t for t in tickets if str(t.id) not in decided and not _replanning(db, t)]


def propose_slot_in(partner_id: uuid.UUID, ticket_id: uuid.UUID) -> uuid.UUID | None:
    """Propose today's accepted routes with urgent ticket `ticket_id` slotted in, together
    with any other urgent ticket opened since that no proposal decided (a ready proposal
    of them is set aside for this one); runs in the worker. Returns the proposal's id (an
    earlier one's when the ticket has one), or None when there is nothing to re-plan."""
    actor = _optimiser(partner_id)
    with tenant_session(actor) as db:
        # One slot-in at a time per organisation: a burst waits here, then finds its
        # tickets in the first run's proposal.
        db.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"slot-in:{partner_id}"}
        )
        if (earlier := _proposal_for(db, ticket_id)) is not None:
            return earlier.id
        accepted = accepted_today(db)
        waiting = _waiting(db, partner_id, accepted) if accepted is not None else []
        if ticket_id not in [t.id for t in waiting]:
            return None
        record = request_plan(db, actor, SLOT_IN_SECONDS)
        record.params = {**record.params, "trigger": _trigger(waiting, accepted)}
        return _slot_in(db, actor, record, accepted)


def _trigger(tickets: list[Ticket], accepted: DispatchPlan) -> dict[str, Any]:
    first = tickets[0]
    return {
        "kind": "urgent",
        "ticketId": str(first.id),
        "number": first.number,
        "priority": first.priority,
        "ticketIds": [str(t.id) for t in tickets],
        "tickets": [
            {"ticketId": str(t.id), "number": t.number, "priority": t.priority} for t in tickets
        ],
        "acceptedPlanId": str(accepted.id),
    }


def _slot_in(db: Session, actor: Actor, record: DispatchPlan, accepted: DispatchPlan) -> uuid.UUID:
    """Fill `record` with the accepted routes and its tickets slotted in, and tell the
    dispatchers what it changes (or why it cannot)."""
    order = {ticket: k for ticket, (_, _, k) in _stops(accepted).items()}
    start = datetime.now(UTC)
    result = slot_in(db, record.params["trigger"]["ticketIds"], order, start)
    add_deadlines(db, result["routes"])
    record.routes, record.unassigned = result["routes"], result["unassigned"]
    record.summary, record.finished_at = result["summary"], datetime.now(UTC)
    proposal = describe(record, accepted)
    record.params = {**record.params, "plannedFrom": start.isoformat(), "proposal": proposal}
    record.status = "ready" if proposal["fits"] else "superseded"
    overtaken = _overtaken(db, record)  # the dispatcher accepted a plan of their own meanwhile
    if overtaken:
        record.status = "superseded"
    elif proposal["fits"]:
        for older in _proposals(db, accepted.accepted_at or accepted.created_at):
            if older.id != record.id and older.status == "ready":
                older.status = "superseded"  # its tickets are in this one
                db.add(older)
    db.add(record)
    announce(db, record)
    if not overtaken:
        emit(db, actor, "DispatchProposed", "dispatch_plan", record.id, proposal)
    return record.id


@subscriber("dispatch.slot_in_urgent", events=["TicketOpened"])
def slot_in_urgent(db: Session, event: EventView) -> None:
    """A new P1 or P2: queue its slot-in on the urgent queue (only that: the relay never
    waits for the slot-in)."""
    if event.payload.get("priority") not in URGENT:
        return
    ticket = db.get(Ticket, uuid.UUID(event.entity_id))
    if ticket is not None and ticket.service_partner_tenant_id is not None:
        queue_slot_in(ticket.service_partner_tenant_id, ticket.id)


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


def describe(record: DispatchPlan, accepted: DispatchPlan) -> dict:
    """What a proposal changes against the accepted plan, in words a dispatcher reads:
    where each of its tickets goes and its ETA (or why it cannot go), and who is bumped."""
    now, before = _stops(record), _stops(accepted)
    left = {u["ticketId"]: u.get("reason") for u in record.unassigned or []}
    parts = [_placed(t, now, left) for t in record.params["trigger"]["tickets"]]
    bumped = [
        f"{b['priority']} #{b['number']}"
        for key, (_, b, _) in before.items()
        if key not in now and b.get("number")
    ]
    fits = any(p["fits"] for p in parts)
    words = "; ".join(p["text"] for p in parts)
    if fits:
        words += f"; {', '.join(bumped)} moves to the next plan" if bumped else "; nobody is bumped"
    return {
        **parts[0],
        "ticket": ", ".join(p["ticket"] for p in parts),
        "fits": fits,
        "bumped": bumped,
        "tickets": parts,
        "text": words + ".",
    }


def _placed(ticket: dict, now: dict, left: dict) -> dict[str, Any]:
    label = f"{ticket['priority']} #{ticket['number']}"
    said: dict[str, Any] = {"ticketId": ticket["ticketId"], "ticket": label, "fits": False}
    if ticket["ticketId"] not in now:
        why = left.get(ticket["ticketId"]) or "no technician can reach it in time"
        said["text"] = f"{label} opened and could not be slotted into today's routes: {why}"
        return said
    route, stop, position = now[ticket["ticketId"]]
    late = f", {stop['lateMinutes']} min past its deadline" if stop.get("lateMinutes") else ""
    said.update(
        fits=True,
        technician=route["technician"],
        stop=position,
        eta=stop["eta"],
        text=f"{label} opened: proposed as stop {position} of {route['technician']}'s route, "
        f"ETA {ist_text(stop['eta'], '%H:%M')} IST{late}",
    )
    return said


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
