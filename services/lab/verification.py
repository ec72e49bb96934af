"""Result verification: the rules that release a result by themselves, and the people who
release the rest.

A result is auto-verified when all of these hold: it is a number within its reference
range, the analyzer raised no flag, it is final (or corrected), it is no critical value,
and it differs from the patient's previous result of the same test by no more than
`DELTA_FRACTION` (the delta check). Everything else waits in the verification queue with
the reasons it was held, until a lab staff member releases it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import LAB_TEAM
from services.errors import Invalid
from services.lab import critical, flows

# A change larger than this share of the previous value holds the result for a person.
DELTA_FRACTION = 0.25
FINAL_STATUSES = ("F", "C")
NORMAL_FLAGS = ("", "N")
BATCH = 500

_NEW = text(
    """
    SELECT r.id, r.tenant_id, r.patient_id, r.analyzer_code, r.loinc, r.value_numeric,
           r.abnormal_flag, r.result_status, r.created_at,
           coalesce(r.reference_low, c.reference_low) AS low,
           coalesce(r.reference_high, c.reference_high) AS high,
           c.critical_low, c.critical_high, r.name, r.value, r.units,
           p.given_name, p.family_name, p.identifier, o.specimen_id, prev.previous
      FROM lab_result r
      LEFT JOIN lab_patient p ON p.id = r.patient_id
      LEFT JOIN lab_order o ON o.id = r.order_id
      LEFT JOIN lab_review v ON v.result_id = r.id
      LEFT JOIN lab_test_code c
        ON c.channel_id = r.channel_id AND c.analyzer_code = r.analyzer_code
      LEFT JOIN LATERAL (
        SELECT q.value_numeric AS previous FROM lab_result q
         WHERE q.patient_id = r.patient_id AND q.value_numeric IS NOT NULL
           AND q.created_at < r.created_at
           AND (q.analyzer_code = r.analyzer_code OR (r.loinc <> '' AND q.loinc = r.loinc))
         ORDER BY q.created_at DESC, q.sequence DESC LIMIT 1
      ) prev ON r.patient_id IS NOT NULL
     WHERE v.result_id IS NULL AND r.created_at > now() - interval '7 days'
     ORDER BY r.created_at, r.sequence
     LIMIT :batch
    """
)
_REVIEW = text(
    "INSERT INTO lab_review (result_id, tenant_id, status, reasons) "
    "VALUES (:id, :tenant, :status, :reasons) ON CONFLICT DO NOTHING"
)


@dataclass(frozen=True)
class Decision:
    status: str  # auto | pending
    reasons: list[str]
    critical: critical.Finding | None


def decide(row, previous: float | None) -> Decision:
    """What the rules make of one result (`row` as selected by `_NEW`)."""
    reasons: list[str] = []
    value = row.value_numeric
    found = critical.finding(value, row.critical_low, row.critical_high)
    if found is not None:
        reasons.append("critical value")
    if (row.abnormal_flag or "").strip().upper() not in NORMAL_FLAGS:
        reasons.append(f"analyzer flag {row.abnormal_flag.strip()}")
    if (row.result_status or "F").upper() not in FINAL_STATUSES:
        reasons.append(f"result status {row.result_status}")
    if value is None:
        reasons.append("not a number")
    elif row.low is None and row.high is None:
        reasons.append("no reference range")
    elif (row.low is not None and value < row.low) or (row.high is not None and value > row.high):
        reasons.append("outside reference range")
    if value is not None and previous is not None:
        base = max(abs(previous), 1e-9)
        if abs(value - previous) / base > DELTA_FRACTION:
            reasons.append(f"delta check: previous {previous:g}")
    return Decision("pending" if reasons else "auto", reasons, found)


def review_new_results(db: Session, batch: int = BATCH) -> int:
    """Apply the rules to up to `batch` results of the last 7 days not yet reviewed that
    `db` may see (a lab's own under its tenant, all of them for the system), record each
    decision once (safe to run in several processes at once), record critical values and
    announce the orders whose patient may hear that the report is ready.
    Returns how many results were reviewed."""
    rows = db.execute(_NEW, {"batch": batch}).all()
    if not rows:
        return 0
    decisions = [(row, decide(row, row.previous)) for row in rows]
    db.execute(
        _REVIEW,
        [
            {
                "id": row.id,
                "tenant": row.tenant_id,
                "status": d.status,
                "reasons": "; ".join(d.reasons),
            }
            for row, d in decisions
        ],
    )
    for row, d in decisions:
        if d.critical is not None and critical.record(db, row.id, row.tenant_id, d.critical):
            critical.alert_staff(db, row)
    flows.announce_verified(db, [row.id for row, d in decisions if d.status == "auto"])
    return len(rows)


def release(db: Session, actor: Actor, result_ids: list[uuid.UUID]) -> int:
    """Release results waiting in the verification queue, as `actor` (a lab staff member),
    with an audit entry (the patient hears of a report it completes, from the outbox).
    Results already released or auto-verified are left as they are.
    Returns how many were released. Raises Forbidden or Invalid (no results named)."""
    actor.require(*LAB_TEAM)
    if not result_ids:
        raise Invalid("results", "name at least one result to release")
    if len(result_ids) > 500:
        raise Invalid("results", "release at most 500 results at once")
    released = db.execute(
        text(
            "UPDATE lab_review SET status = 'released', decided_by = :user, "
            "decided_label = :label, decided_at = :now "
            "WHERE result_id = ANY(:ids) AND status = 'pending' RETURNING result_id"
        ),
        {"user": actor.user_id, "label": actor.label[:254], "now": utcnow(), "ids": result_ids},
    ).all()
    for (result_id,) in released:
        audit.record(db, actor, "lab.result.release", "lab_result", result_id, "result released")
    flows.announce_verified(db, [result_id for (result_id,) in released])
    return len(released)


def verification_counts(db: Session, since) -> dict[str, int]:
    """How many results reviewed since `since` were auto-verified, released by a person,
    and how many wait (whenever they arrived)."""
    row = db.execute(
        text(
            "SELECT count(*) FILTER (WHERE status = 'auto' AND created_at >= :since), "
            "count(*) FILTER (WHERE status = 'released' AND created_at >= :since), "
            "count(*) FILTER (WHERE status = 'pending') FROM lab_review"
        ),
        {"since": since},
    ).one()
    return {"auto": row[0], "released": row[1], "pending": row[2]}
