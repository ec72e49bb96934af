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


BUCKETS = ("raw", "1m", "1h")
MAX_RAW_POINTS = 20_000


def series(
    db: Session,
    device_id: uuid.UUID,
    metric: str,
    start: datetime,
    end: datetime,
    bucket: str = "raw",
) -> list[dict]:
    """One metric of a device from `start` to `end`: raw points ({ts, value}) or rollups
    ({ts, count, min, max, avg}) per '1m' or '1h' bucket. Raises Invalid for an unknown
    bucket, a window that ends before it starts, or more raw points than MAX_RAW_POINTS."""
    from services.errors import Invalid

    if bucket not in BUCKETS:
        raise Invalid("bucket", "must be raw, 1m or 1h")
    if end <= start:
        raise Invalid("to", "must be after from")
    if bucket == "raw":
        rows = db.execute(
            text(
                "SELECT ts, (metrics->>:m)::float8 FROM telemetry_reading WHERE device_id = :d"
                " AND ts >= :s AND ts < :e AND metrics ? :m ORDER BY ts, seq LIMIT :n"
            ),
            {"m": metric, "d": device_id, "s": start, "e": end, "n": MAX_RAW_POINTS + 1},
        ).all()
        if len(rows) > MAX_RAW_POINTS:
            raise Invalid("bucket", f"more than {MAX_RAW_POINTS:,} points: ask for 1m or 1h")
        return [{"ts": ts.isoformat(), "value": v} for ts, v in rows]
    rows = db.execute(
        text(
            "SELECT start, count, min, max, sum FROM telemetry_rollup WHERE device_id = :d"
            " AND metric = :m AND bucket = :b AND start >= :s AND start < :e ORDER BY start"
        ),
        {"d": device_id, "m": metric, "b": bucket, "s": start, "e": end},
    ).all()
    return [
        {
            "ts": r.start.isoformat(),
            "count": r.count,
            "min": r.min,
            "max": r.max,
            "avg": r.sum / r.count,
        }
        for r in rows
    ]


def quarantine(db: Session, device_id: uuid.UUID, limit: int = 100) -> list[dict]:
    """The device's most recent refused payloads, newest first, with the reason."""
    rows = db.execute(
        text(
            "SELECT received_at, topic, payload, reason FROM telemetry_quarantine"
            " WHERE device_id = :d ORDER BY received_at DESC LIMIT :n"
        ),
        {"d": device_id, "n": limit},
    ).all()
    return [
        {"receivedAt": r.received_at.isoformat(), "payload": r.payload, "reason": r.reason}
        for r in rows
    ]
