"""Field app routes: a technician's jobs, the sync batch from the phone, the dispatcher's
conflicts and field overview, device-type workflows and the service report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api.deps import download_actor, require_roles
from services.actor import Actor, Role
from services.common.clock import today_ist
from services.common.roles import DISPATCHERS, SERVICE_TEAM, TICKET_VIEWERS
from services.db import tenant_session
from services.errors import Invalid
from services.field.closing import report_pdf
from services.field.dispatcher import field_overview, list_conflicts, resolve_conflict
from services.field.jobs import my_jobs
from services.field.sync import sync_batch
from services.field.workflows import list_workflows, publish_workflow, workflow_json

router = APIRouter(tags=["field"])
# A batch of up to 500 events, photos compressed on the phone included.
BATCH_BYTES = 64 * 1024 * 1024


def _day(raw: str | None) -> date:
    if raw is None or raw == "":
        return today_ist()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid("date", "must be a date as YYYY-MM-DD, e.g. 2026-12-01") from exc


@router.get("/me/jobs", summary="The signed-in technician's stops for a day, in route order")
def jobs(
    date: str | None = Query(None, description="YYYY-MM-DD; today in IST when left out"),
    actor: Actor = Depends(require_roles(Role.TECHNICIAN)),
) -> dict:
    day = _day(date)
    with tenant_session(actor) as db:
        return my_jobs(db, actor, day)


@router.post(
    "/sync/events:batch",
    summary="Events queued on the phone; one result per event, in the order sent",
    max_body_size=BATCH_BYTES,
)
def sync(
    body: dict[str, Any] = Body(...), actor: Actor = Depends(require_roles(Role.TECHNICIAN))
) -> dict:
    with tenant_session(actor) as db:
        return sync_batch(db, actor, body)


@router.get("/sync/conflicts", summary="Offline changes that no longer fit their ticket")
def conflicts(
    status: str = Query("open", description="open or resolved"),
    actor: Actor = Depends(require_roles(*DISPATCHERS)),
) -> dict:
    with tenant_session(actor) as db:
        return {"conflicts": list_conflicts(db, actor, status)}


class ResolveBody(BaseModel):
    action: str = Field(..., description="apply or dismiss")
    note: str = Field("", max_length=1000)


@router.post("/sync/conflicts/{conflict_id}/resolve", summary="Apply or dismiss a conflict")
def resolve(
    conflict_id: uuid.UUID,
    body: ResolveBody,
    actor: Actor = Depends(require_roles(*DISPATCHERS)),
) -> dict:
    with tenant_session(actor) as db:
        row = resolve_conflict(db, actor, conflict_id, body.action, body.note)
        return {"id": str(row.id), "status": "resolved", "resolution": row.resolution}


@router.get("/field/overview", summary="Technicians' last positions and syncs, arrivals, parts")
def overview(actor: Actor = Depends(require_roles(*DISPATCHERS))) -> dict:
    with tenant_session(actor) as db:
        return field_overview(db, actor)


@router.get("/field/jobs/{ticket_id}/report", summary="The service report of a resolved job (PDF)")
def report(ticket_id: uuid.UUID, actor: Actor = Depends(download_actor)) -> Response:
    actor.require(*TICKET_VIEWERS)
    with tenant_session(actor) as db:
        name, pdf = report_pdf(db, ticket_id)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/workflows", summary="Checklist versions per device type, newest first")
def workflows(actor: Actor = Depends(require_roles(*SERVICE_TEAM))) -> dict:
    with tenant_session(actor) as db:
        return {"workflows": list_workflows(db, actor)}


@router.post("/workflows", status_code=201, summary="Publish the next version of a checklist")
def publish(
    body: dict[str, Any] = Body(...),
    actor: Actor = Depends(require_roles(Role.OEM_SERVICE_MANAGER)),
) -> dict:
    with tenant_session(actor) as db:
        return workflow_json(publish_workflow(db, actor, body))
