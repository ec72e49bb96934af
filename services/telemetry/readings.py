"""Reading telemetry back: the points of a device over a time window."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session


def window(
    db: Session,
    device_id: uuid.UUID,
    start: datetime,
    end: datetime,
    metrics: Iterable[str] | None = None,
) -> list[tuple[datetime, str, float]]:
    """Every stored reading of the device with `start <= ts < end`, one (ts, metric, value)
    per metric, ordered by time then metric. `metrics` keeps only those names. Row-level
    security applies: a session that may not see the device gets nothing."""
    wanted = sorted(set(metrics)) if metrics is not None else None
    rows = db.execute(
        text("""
        SELECT r.ts, m.key, (m.value)::float8
          FROM telemetry_reading r, jsonb_each(r.metrics) m
         WHERE r.device_id = :device AND r.ts >= :start AND r.ts < :end
           AND (CAST(:wanted AS text[]) IS NULL OR m.key = ANY(CAST(:wanted AS text[])))
         ORDER BY r.ts, r.seq, m.key
        """),
        {"device": device_id, "start": start, "end": end, "wanted": wanted},
    ).all()
    return [(ts, name, value) for ts, name, value in rows]
