"""Dispatch optimisation, in a worker with a hard time limit above the solver's own, and
the urgent slot-in (on the urgent queue's own worker)."""

from __future__ import annotations

import uuid

import services.models  # noqa: F401  (every table known to the ORM: plans refer to users)
from services.dispatch.flows import OPTIMISE_TASK, SLOT_IN_TASK, run_queued_plan
from services.dispatch.service import MAX_SECONDS
from services.dispatch.urgent import propose_slot_in
from workers.celery_app import celery_app


@celery_app.task(
    name=OPTIMISE_TASK,
    ignore_result=True,
    time_limit=MAX_SECONDS + 60,
    soft_time_limit=MAX_SECONDS + 30,
)
def optimize(plan_id: str, tenant_id: str, tenant_kind: str) -> str:
    return run_queued_plan(plan_id, tenant_id, tenant_kind)


@celery_app.task(name=SLOT_IN_TASK, ignore_result=True, time_limit=60, soft_time_limit=45)
def slot_in(partner_id: str, ticket_id: str) -> str | None:
    found = propose_slot_in(uuid.UUID(partner_id), uuid.UUID(ticket_id))
    return str(found) if found else None
