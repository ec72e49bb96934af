"""Dispatch optimisation, in a worker with a hard time limit above the solver's own."""

from __future__ import annotations

import uuid

import services.models  # noqa: F401  (every table known to the ORM: plans refer to users)
from services.actor import Actor, Role, TenantKind
from services.dispatch.service import MAX_SECONDS, run_plan
from workers.celery_app import celery_app


@celery_app.task(name="dispatch.optimize", ignore_result=True, time_limit=MAX_SECONDS + 60,
                 soft_time_limit=MAX_SECONDS + 30)
def optimize(plan_id: str, tenant_id: str, tenant_kind: str) -> str:
    actor = Actor(None, uuid.UUID(tenant_id), TenantKind(tenant_kind),
                  frozenset({Role.DISPATCHER}), "dispatch-optimizer")
    return run_plan(actor, uuid.UUID(plan_id))
