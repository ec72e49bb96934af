"""What follows a dispatch plan's own steps: once a plan is asked for, a worker optimises
it. The router and the dispatch page start plans here; the worker runs them from here, so
the task's name and arguments are written in one place."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.actor import Actor, Role, TenantKind
from services.common.tasks import send_task
from services.db import tenant_session
from services.dispatch.service import request_plan, run_plan

OPTIMISE_TASK = "dispatch.optimize"
SLOT_IN_TASK = "dispatch.slot_in"  # routed to the urgent queue (services/common/tasks.py)
# A slot-in waits this long, so the tickets of a burst meet in one run.
GATHER = timedelta(seconds=2)


def start_plan(actor: Actor, seconds: object = 10, start_at: datetime | None = None) -> str:
    """Ask for an optimisation of the organisation's open tickets (see `request_plan`,
    whose Forbidden and Invalid it raises), commit it, then queue the worker. Returns the
    plan's id; the plan shows progress, and fails visibly when no worker takes it."""
    with tenant_session(actor) as db:
        plan_id = str(request_plan(db, actor, seconds, start_at).id)
    send_task(OPTIMISE_TASK, plan_id, str(actor.tenant_id), actor.tenant_kind.value)
    return plan_id


def run_queued_plan(plan_id: str, tenant_id: str, tenant_kind: str) -> str:
    """Optimise a plan sent by `start_plan` (in the worker), as the organisation's
    optimiser. Returns the plan's final status."""
    actor = Actor(
        None,
        uuid.UUID(tenant_id),
        TenantKind(tenant_kind),
        frozenset({Role.DISPATCHER}),
        "dispatch-optimizer",
    )
    return run_plan(actor, uuid.UUID(plan_id))


def queue_slot_in(partner_id: uuid.UUID, ticket_id: uuid.UUID) -> None:
    """Queue the slot-in of a new urgent ticket (services.dispatch.urgent) on the urgent
    queue, a moment later so a burst of tickets shares one run."""
    send_task(SLOT_IN_TASK, str(partner_id), str(ticket_id), eta=datetime.now(UTC) + GATHER)
