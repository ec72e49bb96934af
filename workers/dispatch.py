"""Dispatch optimisation, in a worker with a hard time limit above the solver's own."""

from __future__ import annotations

import services.models  # noqa: F401  (every table known to the ORM: plans refer to users)
from services.dispatch.flows import OPTIMISE_TASK, run_queued_plan
from services.dispatch.service import MAX_SECONDS
from workers.celery_app import celery_app


@celery_app.task(
    name=OPTIMISE_TASK,
    ignore_result=True,
    time_limit=MAX_SECONDS + 60,
    soft_time_limit=MAX_SECONDS + 30,
)
def optimize(plan_id: str, tenant_id: str, tenant_kind: str) -> str:
    return run_queued_plan(plan_id, tenant_id, tenant_kind)
