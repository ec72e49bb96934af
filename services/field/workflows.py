"""Device-type checklists: versions kept as YAML in the repository (services/field/workflows)
and loaded into the database, versions an organisation publishes, and which one a job uses.

A step is one of four kinds: `pass_fail`, `reading` (a number with a unit and an acceptable
range, either bound optional), `photo`, or `choice` (one of `options`). A ticket keeps the
version its first recorded step used, so publishing a new version never changes a job
already under way."""

from __future__ import annotations

import math
import re
import uuid
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import or_
from sqlmodel import Session, select

from services.actor import Actor, Role
from services.audit import service as audit
from services.errors import Invalid, NotFound
from services.field.models import STEP_KINDS, FieldWorkflow

FOLDER = Path(__file__).with_name("workflows")
MAX_STEPS = 60
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def _text(raw: Any, field: str, limit: int) -> str:
    value = str(raw or "").strip()
    if not value or len(value) > limit:
        raise Invalid(field, f"is required (up to {limit} characters)")
    return value


def _bound(raw: Any, field: str) -> float | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise Invalid(field, "must be a number")
    return raw


def _step(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise Invalid(where, "must be an object with id, kind and label")
    step_id = str(raw.get("id") or "")
    if not _ID.match(step_id):
        raise Invalid(f"{where}.id", "lower-case letters, digits and dashes, up to 60")
    kind = raw.get("kind")
    if kind not in STEP_KINDS:
        raise Invalid(f"{where}.kind", f"must be one of {', '.join(STEP_KINDS)}")
    step = {"id": step_id, "kind": kind, "label": _text(raw.get("label"), f"{where}.label", 200)}
    if kind == "reading":
        step["unit"] = str(raw.get("unit") or "")[:20]
        low, high = _bound(raw.get("min"), f"{where}.min"), _bound(raw.get("max"), f"{where}.max")
        if low is not None and high is not None and low > high:
            raise Invalid(f"{where}.min", "is above max")
        step |= {k: v for k, v in (("min", low), ("max", high)) if v is not None}
    if kind == "choice":
        options = raw.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 12:
            raise Invalid(f"{where}.options", "a choice needs 2 to 12 options")
        step["options"] = [_text(o, f"{where}.options", 80) for o in options]
    return step


def check_definition(raw: Any) -> dict[str, Any]:
    """A workflow definition made safe: key, deviceType, name and steps, each step checked.
    Raises Invalid naming the field at fault."""
    if not isinstance(raw, dict):
        raise Invalid("workflow", "must be an object with key, deviceType, name and steps")
    key = str(raw.get("key") or "")
    if not _ID.match(key):
        raise Invalid("key", "lower-case letters, digits and dashes, up to 60")
    steps = raw.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise Invalid("steps", f"a workflow has 1 to {MAX_STEPS} steps")
    checked = [_step(s, f"steps[{i}]") for i, s in enumerate(steps)]
    ids = [s["id"] for s in checked]
    if len(set(ids)) != len(ids):
        raise Invalid("steps", "two steps share an id")
    return {
        "key": key,
        "deviceType": _text(raw.get("deviceType"), "deviceType", 60),
        "name": _text(raw.get("name"), "name", 200),
        "steps": checked,
    }


def load_repository_workflows(db: Session, folder: Path = FOLDER) -> int:
    """Load every YAML version in `folder` not yet in the database (run as the owner: the
    repository's versions belong to no organisation). Returns how many were added."""
    added = 0
    for path in sorted(folder.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        version = raw.get("version") if isinstance(raw, dict) else None
        if not isinstance(version, int) or version < 1:
            raise Invalid(f"{path.name}: version", "must be a whole number from 1")
        definition = check_definition(raw)
        exists = db.exec(
            select(FieldWorkflow.id).where(
                FieldWorkflow.tenant_id.is_(None),
                FieldWorkflow.key == definition["key"],
                FieldWorkflow.version == version,
            )
        ).first()
        if exists is None:
            db.add(_row(definition, version, None, "repository", None))
            added += 1
    return added


def _row(definition: dict, version: int, tenant, source: str, by) -> FieldWorkflow:
    return FieldWorkflow(
        tenant_id=tenant,
        key=definition["key"],
        device_type=definition["deviceType"],
        version=version,
        name=definition["name"],
        steps=definition["steps"],
        source=source,
        published_by=by,
    )


def workflow_json(w: FieldWorkflow) -> dict[str, Any]:
    return {
        "id": str(w.id),
        "key": w.key,
        "deviceType": w.device_type,
        "version": w.version,
        "name": w.name,
        "source": w.source,
        "publishedAt": w.created_at.isoformat() if w.created_at else None,
        "steps": w.steps,
    }


def list_workflows(db: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every version the organisation uses: the repository's and its own, newest first."""
    rows = db.exec(
        select(FieldWorkflow)
        .where(or_(FieldWorkflow.tenant_id.is_(None), FieldWorkflow.tenant_id == actor.tenant_id))
        .order_by(FieldWorkflow.key, FieldWorkflow.version.desc())
    )
    return [workflow_json(w) for w in rows]


def publish_workflow(db: Session, actor: Actor, raw: Any) -> FieldWorkflow:
    """Publish the next version of a checklist for the actor's organisation (its
    technicians, and the devices it makes, get it on jobs not yet started). Raises
    Forbidden (only a service manager publishes) or Invalid (the definition)."""
    actor.require(Role.OEM_SERVICE_MANAGER)
    definition = check_definition(raw)
    newest = db.exec(
        select(FieldWorkflow.version)
        .where(
            FieldWorkflow.key == definition["key"],
            or_(FieldWorkflow.tenant_id.is_(None), FieldWorkflow.tenant_id == actor.tenant_id),
        )
        .order_by(FieldWorkflow.version.desc())
    ).first()
    row = _row(definition, (newest or 0) + 1, actor.tenant_id, "published", actor.user_id)
    db.add(row)
    db.flush()
    audit.record(
        db, actor, "workflow.publish", "field_workflow", row.id, f"{row.key} v{row.version}"
    )
    return row


def workflow_for(
    db: Session, device_type: str | None, tenants: tuple[uuid.UUID | None, ...]
) -> FieldWorkflow | None:
    """The newest version for a device type among the repository's and `tenants`' own
    (the servicing organisation and the device's maker)."""
    if not device_type:
        return None
    owners = [t for t in tenants if t is not None]
    return db.exec(
        select(FieldWorkflow)
        .where(
            FieldWorkflow.device_type == device_type,
            or_(FieldWorkflow.tenant_id.is_(None), FieldWorkflow.tenant_id.in_(owners)),
        )
        .order_by(FieldWorkflow.version.desc(), FieldWorkflow.tenant_id.is_(None))
    ).first()


def get_workflow(db: Session, workflow_id: uuid.UUID) -> FieldWorkflow:
    """One version by id. Raises NotFound."""
    row = db.get(FieldWorkflow, workflow_id)
    if row is None:
        raise NotFound(f"No workflow {workflow_id}")
    return row
