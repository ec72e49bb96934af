"""What the lab console shows: results as they arrive, the verification queue, critical
values waiting for acknowledgement, each analyzer's status and the error queue. Every
read runs under the viewer's tenant, so a lab sees only its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session

from services.columns import utcnow
from services.common.clock import IST, now_ist
from services.lab.critical import open_criticals
from services.lab.health import analyzer_status
from services.lab.verification import review_new_results, verification_counts

_RESULTS = """
    SELECT r.id, r.created_at, r.name, r.analyzer_code, r.value, r.units,
           r.reference_range, r.reference_low, r.reference_high, r.abnormal_flag,
           p.identifier, p.family_name, p.given_name, ch.name AS analyzer,
           v.status AS review, v.reasons, k.id AS critical_id, k.acknowledged_at
      FROM lab_result r
      LEFT JOIN lab_patient p ON p.id = r.patient_id
      LEFT JOIN lab_channel ch ON ch.id = r.channel_id
      LEFT JOIN lab_review v ON v.result_id = r.id
      LEFT JOIN lab_critical k ON k.result_id = r.id
"""


def _range(r) -> str:
    if r.reference_range:
        return r.reference_range
    if r.reference_low is not None and r.reference_high is not None:
        return f"{r.reference_low:g}–{r.reference_high:g}"
    return ""


def _view(r) -> dict:
    return {
        "id": str(r.id),
        "at": r.created_at.isoformat(),
        "test": r.name or r.analyzer_code,
        "value": r.value,
        "units": r.units,
        "range": _range(r),
        "flag": (r.abnormal_flag or "").strip(),
        "patient": r.identifier or "",
        "patientName": " ".join(x for x in (r.given_name, r.family_name) if x),
        "analyzer": r.analyzer or "",
        "review": r.review or "new",
        "reasons": r.reasons or "",
        "critical": r.critical_id is not None,
        "acknowledged": r.acknowledged_at is not None,
    }


def recent_results(db: Session, limit: int = 50) -> list[dict]:
    """The newest results, newest first, with their verification and critical state."""
    rows = db.execute(
        text(_RESULTS + " ORDER BY r.created_at DESC, r.sequence LIMIT :limit"), {"limit": limit}
    ).all()
    return [_view(r) for r in rows]


def verification_queue(db: Session, limit: int = 100) -> list[dict]:
    """Results held for a person, oldest first, with why each was held."""
    rows = db.execute(
        text(
            _RESULTS + " WHERE v.status = 'pending' ORDER BY r.created_at, r.sequence LIMIT :limit"
        ),
        {"limit": limit},
    ).all()
    return [_view(r) for r in rows]


def error_queue(db: Session, limit: int = 50) -> list[dict]:
    """Messages of this lab that could not be processed, newest first (no raw content:
    it may carry patient data)."""
    rows = db.execute(
        text(
            "SELECT m.id, m.control_id, m.message_type, m.error, m.received_at, m.attempts, "
            "ch.name AS channel FROM lab_message m LEFT JOIN lab_channel ch "
            "ON ch.id = m.channel_id WHERE m.state = 'error' "
            "ORDER BY m.received_at DESC LIMIT :limit"
        ),
        {"limit": limit},
    ).all()
    return [
        {
            "id": str(r.id),
            "controlId": r.control_id or "",
            "type": r.message_type,
            "error": r.error,
            "at": r.received_at.isoformat(),
            "attempts": r.attempts,
            "channel": r.channel or "",
        }
        for r in rows
    ]


def _midnight_ist() -> datetime:
    return now_ist().replace(hour=0, minute=0, second=0, microsecond=0).astimezone(IST)


def console(db: Session) -> dict:
    """Everything the console shows in one read: results reviewed first, so a result that
    just arrived is shown with its verdict and a new critical value is among the open."""
    review_new_results(db)
    today = _midnight_ist()
    counts = verification_counts(db, today)
    results_today = db.execute(
        text("SELECT count(*) FROM lab_result WHERE created_at >= :since"), {"since": today}
    ).scalar()
    return {
        "results": recent_results(db),
        "queue": verification_queue(db),
        "criticals": open_criticals(db),
        "analyzers": analyzer_status(db, utcnow() - timedelta(hours=1)),
        "errors": error_queue(db),
        "counts": {**counts, "today": results_today},
    }


def lab_todo(db: Session, limit: int = 5) -> dict[str, tuple[int, list[tuple[str, str]]]]:
    """What waits for lab staff, for their home page: critical values to acknowledge and
    results to verify, each as (how many in all, the first few as (title, detail))."""
    criticals = open_criticals(db, limit)
    queue = verification_queue(db, limit)
    open_count = db.execute(
        text("SELECT count(*) FROM lab_critical WHERE acknowledged_at IS NULL")
    ).scalar_one()
    pending = db.execute(
        text("SELECT count(*) FROM lab_review WHERE status = 'pending'")
    ).scalar_one()
    return {
        "criticals": (
            open_count,
            [
                (
                    f"{c['test']} {c['value']} {c['units']}".strip(),
                    f"{c['patient']} · {c['analyzer']} · critical {c['limit']}",
                )
                for c in criticals
            ],
        ),
        "verify": (
            pending,
            [
                (
                    f"{r['test']} {r['value']} {r['units']}".strip(),
                    f"{r['patient']} · {r['reasons']}",
                )
                for r in queue
            ],
        ),
    }
