"""Critical values: results beyond the critical limits their channel sets for the test.

Each one stays on the console, highlighted, until a named lab staff member acknowledges
it and records whom they informed (a doctor, a ward); the acknowledgement is audited."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import LAB_TEAM
from services.errors import Conflict, Invalid, NotFound
from services.notifications.lab import notify_critical_value

log = logging.getLogger("yantra.lab.critical")


@dataclass(frozen=True)
class Finding:
    direction: str  # low | high
    limit: str  # the limit crossed, as the console shows it ("< 7")


def finding(value: float | None, low: float | None, high: float | None) -> Finding | None:
    """Is `value` beyond the critical limits (either may be unset)? None when it is not."""
    if value is None:
        return None
    if low is not None and value < low:
        return Finding("low", f"< {low:g}")
    if high is not None and value > high:
        return Finding("high", f"> {high:g}")
    return None


def record(db: Session, result_id: uuid.UUID, tenant_id: uuid.UUID, found: Finding) -> bool:
    """Keep a critical value for acknowledgement, once per result: True when it is new
    (whoever reviews the result at the same moment, one of them records it)."""
    return (
        db.execute(
            text(
                "INSERT INTO lab_critical (tenant_id, result_id, direction, limit_text) "
                "VALUES (:tenant, :result, :direction, :limit) ON CONFLICT DO NOTHING "
                "RETURNING id"
            ),
            {
                "tenant": tenant_id,
                "result": result_id,
                "direction": found.direction,
                "limit": found.limit,
            },
        ).first()
        is not None
    )


def alert_staff(db: Session, row) -> None:
    """Tell the lab's staff of a new critical value on their chosen channels (once per
    result). A notice that cannot go out is logged and never holds up the review: the
    console still shows and sounds the value."""
    name = " ".join(x for x in (row.given_name, row.family_name) if x) or row.identifier
    try:
        with db.begin_nested():
            notify_critical_value(
                db,
                tenant_id=row.tenant_id,
                patient_name=name or "unnamed patient",
                test_name=row.name or row.analyzer_code or "result",
                value=f"{row.value} {row.units}".strip() or "?",
                sample_id=row.specimen_id or row.identifier or str(row.id)[:8],
                link="/lab",
                key=str(row.id),
            )
    except Exception as exc:  # noqa: BLE001 - the alarm on the console stands regardless
        log.warning("critical value %s: staff not notified (%s)", row.id, type(exc).__name__)


def open_criticals(db: Session, limit: int = 50) -> list[dict]:
    """Critical values not yet acknowledged, oldest first (they wait longest)."""
    rows = db.execute(
        text(
            """
            SELECT k.id, k.result_id, k.direction, k.limit_text, k.found_at, r.name,
                   r.analyzer_code, r.value, r.units, p.identifier, p.family_name,
                   p.given_name, ch.name AS analyzer
              FROM lab_critical k JOIN lab_result r ON r.id = k.result_id
              LEFT JOIN lab_patient p ON p.id = r.patient_id
              LEFT JOIN lab_channel ch ON ch.id = r.channel_id
             WHERE k.acknowledged_at IS NULL
             ORDER BY k.found_at LIMIT :limit
            """
        ),
        {"limit": limit},
    ).all()
    return [
        {
            "id": str(r.id),
            "resultId": str(r.result_id),
            "direction": r.direction,
            "limit": r.limit_text,
            "foundAt": r.found_at.isoformat(),
            "test": r.name or r.analyzer_code,
            "value": r.value,
            "units": r.units,
            "patient": r.identifier or "",
            "patientName": " ".join(x for x in (r.given_name, r.family_name) if x),
            "analyzer": r.analyzer or "",
        }
        for r in rows
    ]


def acknowledge(
    db: Session, actor: Actor, critical_id: uuid.UUID, informed: str, note: str = ""
) -> None:
    """Acknowledge a critical value as `actor`, recording whom they informed; audited.

    Raises Forbidden (not lab staff), Invalid (informed: nobody named), NotFound or
    Conflict (already acknowledged, saying by whom)."""
    actor.require(*LAB_TEAM)
    informed = (informed or "").strip()
    if not informed or len(informed) > 300:
        raise Invalid("informed", "name whom you informed (up to 300 characters)")
    if len(note or "") > 2000:
        raise Invalid("note", "keep the note under 2,000 characters")
    row = db.execute(
        text("SELECT acknowledged_label FROM lab_critical WHERE id = :id FOR UPDATE"),
        {"id": critical_id},
    ).first()
    if row is None:
        raise NotFound("No critical value with that id that you can see")
    if row.acknowledged_label:
        raise Conflict(f"Already acknowledged by {row.acknowledged_label}")
    db.execute(
        text(
            "UPDATE lab_critical SET acknowledged_by = :user, acknowledged_label = :label, "
            "acknowledged_at = :now, informed = :informed, note = :note WHERE id = :id"
        ),
        {
            "user": actor.user_id,
            "label": (actor.label or "lab staff")[:254],
            "now": utcnow(),
            "informed": informed,
            "note": (note or "").strip(),
            "id": critical_id,
        },
    )
    audit.record(
        db,
        actor,
        "lab.critical.acknowledge",
        "lab_critical",
        critical_id,
        "critical value acknowledged; whom they informed is recorded",
    )
