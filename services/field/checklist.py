"""Answering a checklist step on a ticket: the ticket keeps the workflow version its first
answer used, each answer is checked against its step, and a reading outside its range is
kept with a flag (the work was done; the report and the dispatcher must see it)."""

from __future__ import annotations

import json
import math
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.errors import Invalid, NotFound
from services.field.models import FieldStep, FieldVisit, FieldWorkflow
from services.field.workflows import workflow_for
from services.tickets.models import Ticket


def _pinned_workflow(
    db: Session, actor: Actor, ticket: Ticket, visit: FieldVisit, asked
) -> FieldWorkflow:
    if visit.workflow_id is not None:
        return _version(db, visit.workflow_id)
    workflow = None
    if asked:
        try:
            workflow = db.get(FieldWorkflow, uuid.UUID(str(asked)))
        except ValueError as exc:
            raise Invalid("payload.workflowId", "is not an id") from exc
    if workflow is None:
        device = db.execute(
            text(
                "SELECT s.category, e.manufacturer_tenant_id FROM equipment e "
                "JOIN sku s ON s.id = e.sku_id WHERE e.id = :d"
            ),
            {"d": ticket.equipment_id},
        ).first()
        if device is not None:
            workflow = workflow_for(db, device[0], (actor.tenant_id, device[1]))
    if workflow is None:
        raise NotFound("There is no checklist for this device type")
    visit.workflow_id = workflow.id
    db.add(visit)
    return workflow


# A published version never changes, so each process reads it once.
_VERSIONS: dict[uuid.UUID, FieldWorkflow] = {}


def _version(db: Session, workflow_id: uuid.UUID) -> FieldWorkflow:
    if workflow_id not in _VERSIONS:
        row = db.get(FieldWorkflow, workflow_id)
        db.expunge(row)
        _VERSIONS[workflow_id] = row
    return _VERSIONS[workflow_id]


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise Invalid("payload.value", "must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise Invalid("payload.value", "must be a number") from exc
    if not math.isfinite(number):
        raise Invalid("payload.value", "must be a finite number")
    return number


def _bounds(step: dict) -> str:
    unit = f" {step.get('unit')}" if step.get("unit") else ""
    low, high = step.get("min"), step.get("max")
    if low is not None and high is not None:
        return f"{low}–{high}{unit}"
    return f"at least {low}{unit}" if low is not None else f"at most {high}{unit}"


def check_answer(step: dict, payload: dict) -> tuple[dict[str, Any], str | None]:
    """The stored answer for `step` and, for a reading out of range, a warning. Raises
    Invalid("payload.value") when the answer does not fit the step."""
    kind, value = step["kind"], payload.get("value")
    if kind == "pass_fail":
        if value not in ("pass", "fail"):
            raise Invalid("payload.value", "must be pass or fail")
        return {"value": value}, None
    if kind == "choice":
        if value not in step.get("options", []):
            raise Invalid("payload.value", f"must be one of: {', '.join(step['options'])}")
        return {"value": value}, None
    if kind == "photo":
        return {"value": "photo", "photo": payload.get("photo")}, None
    number = _number(value)
    low, high = step.get("min"), step.get("max")
    out = (low is not None and number < low) or (high is not None and number > high)
    answer = {"value": number, "unit": step.get("unit", ""), "outOfRange": bool(out)}
    if not out:
        return answer, None
    unit = f" {step['unit']}" if step.get("unit") else ""
    return answer, f"{step['label']}: {number:g}{unit} is outside {_bounds(step)}"


_UPSERT = text("""
    INSERT INTO field_step (id, tenant_id, ticket_id, workflow_id, step_id, kind, value,
                            out_of_range, recorded_by, client_time)
    VALUES (:id, :tenant, :ticket, :workflow, :step, :kind, CAST(:value AS jsonb), :out, :by, :at)
    ON CONFLICT (ticket_id, step_id) DO UPDATE
       SET kind = EXCLUDED.kind, value = EXCLUDED.value, out_of_range = EXCLUDED.out_of_range,
           recorded_by = EXCLUDED.recorded_by, client_time = EXCLUDED.client_time
     WHERE field_step.client_time <= EXCLUDED.client_time
    RETURNING id""")


def record(
    db: Session,
    actor: Actor,
    ticket: Ticket,
    visit: FieldVisit,
    payload: dict,
    client_time: datetime,
) -> tuple[uuid.UUID, str | None]:
    """Keep the answer to one step (the later of two answers wins, by the phone's time).
    Returns the stored step's id and a warning for a reading out of range. Raises Invalid
    (unknown step, wrong answer) or NotFound (no checklist for the device type)."""
    workflow = _pinned_workflow(db, actor, ticket, visit, payload.get("workflowId"))
    step_id = payload.get("stepId")
    step = next((s for s in workflow.steps if s["id"] == step_id), None)
    if step is None:
        raise Invalid(
            "payload.stepId", f"no step {step_id!r} in {workflow.name} v{workflow.version}"
        )
    answer, warning = check_answer(step, payload)
    kept = db.execute(
        _UPSERT,
        {
            "id": uuid.uuid4(),
            "tenant": actor.tenant_id,
            "ticket": ticket.id,
            "workflow": workflow.id,
            "step": step["id"],
            "kind": step["kind"],
            "value": json.dumps(answer),
            "out": bool(answer.get("outOfRange")),
            "by": actor.user_id,
            "at": client_time,
        },
    ).first()
    if kept is None:  # a later answer (by the phone's clock) is already kept
        kept = db.execute(
            text("SELECT id FROM field_step WHERE ticket_id = :t AND step_id = :s"),
            {"t": ticket.id, "s": step["id"]},
        ).first()
    return kept.id, warning


def answers(db: Session, ticket_id: uuid.UUID) -> dict[str, FieldStep]:
    """The answers kept on a ticket, by step id."""
    rows = db.exec(select(FieldStep).where(FieldStep.ticket_id == ticket_id))
    return {r.step_id: r for r in rows}
