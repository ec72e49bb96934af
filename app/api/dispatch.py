"""Dispatch plan routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import current_actor, require_roles
from services.actor import Actor
from services.common.roles import DISPATCHERS
from services.db import tenant_session
from services.dispatch.flows import start_plan
from services.dispatch.freshness import plan_changes
from services.dispatch.next_steps import apply_next_step, next_steps
from services.dispatch.override import apply_move, preview_move
from services.dispatch.picker import technician_choices
from services.dispatch.service import (
    MAX_SECONDS,
    accept_plan,
    get_plan,
    plan_json,
)
from services.dispatch.urgent import reject_proposal

router = APIRouter(prefix="/dispatch", tags=["dispatch"])


class PlanBody(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    timeLimitSeconds: float = Field(10, ge=1, le=MAX_SECONDS)  # noqa: N815
    startAt: datetime | None = None  # noqa: N815


class AcceptBody(BaseModel):
    # A plan that leaves a P1 out or late is accepted only when this says so.
    acknowledgeLateP1: bool = False  # noqa: N815


class MoveBody(BaseModel):
    ticketId: uuid.UUID  # noqa: N815
    technicianId: uuid.UUID | None = None  # noqa: N815 - None leaves the ticket out


@router.post(
    "/plans",
    status_code=202,
    summary="Optimise your open tickets in a worker; poll the plan for progress",
)
def create_plan(
    body: PlanBody | None = None, actor: Actor = Depends(require_roles(*DISPATCHERS))
) -> dict:
    body = body or PlanBody()
    plan_id = start_plan(actor, body.timeLimitSeconds, body.startAt)
    return {"planId": plan_id, "status": "queued"}


class NextStepBody(BaseModel):
    ticketId: uuid.UUID  # noqa: N815
    action: str = Field(pattern="^(call_out|other_hub|assign_anyway|tell_oem)$")
    technicianId: uuid.UUID | None = None  # noqa: N815 - not for tell_oem


@router.get(
    "/plans/{plan_id}",
    summary="A plan: progress, routes with ETAs, jobs left out, when it was made and what "
    "changed since (stale)",
)
def read_plan(plan_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        record = get_plan(db, plan_id)
        return {**plan_json(record), "changes": plan_changes(db, record)}


@router.get(
    "/plans/{plan_id}/technicians",
    summary="Who could take a ticket: hub, skills, load and ETA, best fit first",
)
def technicians_for(
    plan_id: uuid.UUID,
    ticket_id: uuid.UUID = Query(alias="ticketId"),
    actor: Actor = Depends(require_roles(*DISPATCHERS)),
) -> dict:
    with tenant_session(actor) as db:
        return {"technicians": technician_choices(db, actor, plan_id, str(ticket_id))}


@router.get(
    "/plans/{plan_id}/next-steps",
    summary="For each P1 the plan leaves out: call out, another hub, assign anyway or tell "
    "the OEM, each with its ETA, lateness and what moves",
)
def read_next_steps(
    plan_id: uuid.UUID, actor: Actor = Depends(require_roles(*DISPATCHERS))
) -> dict:
    with tenant_session(actor) as db:
        return {"p1": next_steps(db, actor, plan_id)}


@router.post("/plans/{plan_id}/next-steps", summary="Apply one next step to a left-out P1")
def take_next_step(
    plan_id: uuid.UUID, body: NextStepBody, actor: Actor = Depends(require_roles(*DISPATCHERS))
) -> dict:
    with tenant_session(actor) as db:
        message = apply_next_step(
            db,
            actor,
            plan_id,
            str(body.ticketId),
            body.action,
            str(body.technicianId) if body.technicianId else None,
        )
        return {"message": message, **plan_json(get_plan(db, plan_id))}


@router.post(
    "/plans/{plan_id}/accept",
    status_code=200,
    summary="Assign every planned ticket to its technician (DispatchAssigned); a plan "
    "with late or left-out P1s needs acknowledgeLateP1 (409 naming them otherwise)",
)
def accept(
    plan_id: uuid.UUID,
    body: AcceptBody | None = None,
    actor: Actor = Depends(require_roles(*DISPATCHERS)),
) -> dict:
    body = body or AcceptBody()
    with tenant_session(actor) as db:
        moved = accept_plan(db, actor, plan_id, body.acknowledgeLateP1)
    return {"planId": str(plan_id), "assigned": moved}


@router.post(
    "/plans/{plan_id}/reject",
    status_code=200,
    summary="Set aside a ready plan, such as a proposal made when a P1 or P2 opened; "
    "today's accepted plan stays as it is",
)
def reject(plan_id: uuid.UUID, actor: Actor = Depends(require_roles(*DISPATCHERS))) -> dict:
    with tenant_session(actor) as db:
        reject_proposal(db, actor, plan_id)
        return plan_json(get_plan(db, plan_id))


@router.post(
    "/plans/{plan_id}/moves/preview",
    summary="What moving one ticket to a technician (or out) would do: new ETAs "
    "of both routes and the rules it breaks; changes nothing",
)
def preview(
    plan_id: uuid.UUID, body: MoveBody, actor: Actor = Depends(require_roles(*DISPATCHERS))
) -> dict:
    with tenant_session(actor) as db:
        return preview_move(
            db,
            actor,
            plan_id,
            str(body.ticketId),
            str(body.technicianId) if body.technicianId else None,
        )


@router.post(
    "/plans/{plan_id}/moves",
    summary="Move one ticket to a technician (or out of the plan) before accepting",
)
def move(
    plan_id: uuid.UUID, body: MoveBody, actor: Actor = Depends(require_roles(*DISPATCHERS))
) -> dict:
    with tenant_session(actor) as db:
        result = apply_move(
            db,
            actor,
            plan_id,
            str(body.ticketId),
            str(body.technicianId) if body.technicianId else None,
        )
        return {
            **plan_json(get_plan(db, plan_id)),
            "violations": result["violations"],
            "changed": result["changed"],
        }
