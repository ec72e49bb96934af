"""1-minute and 1-hour rollups of readings, the partitions ahead, and retention.

Rollups are recomputed over whole buckets, so running them again (or late readings arriving
within the look-back) gives the same figures. Raw readings are kept `RAW_DAYS` (whole daily
partitions are dropped), 1-minute rollups `MINUTE_DAYS`, hourly ones for good."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import psycopg

log = logging.getLogger("yantra.telemetry.rollups")
RAW_DAYS = 30
MINUTE_DAYS = 180
LOOK_BACK = timedelta(minutes=15)

_MINUTES = """
INSERT INTO telemetry_rollup (tenant_id, oem_tenant_id, device_id, metric, bucket, start,
                              count, min, max, sum)
SELECT r.tenant_id, r.oem_tenant_id, r.device_id, m.key, '1m', date_trunc('minute', r.ts),
       count(*), min(m.value::float8), max(m.value::float8), sum(m.value::float8)
  FROM telemetry_reading r, jsonb_each(r.metrics) m
 WHERE r.ts >= %(start)s AND r.ts < %(end)s
 GROUP BY 1, 2, 3, 4, 6
ON CONFLICT (device_id, metric, bucket, start) DO UPDATE
   SET count = EXCLUDED.count, min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum
"""
_HOURS = """
INSERT INTO telemetry_rollup (tenant_id, oem_tenant_id, device_id, metric, bucket, start,
                              count, min, max, sum)
SELECT tenant_id, oem_tenant_id, device_id, metric, '1h', date_trunc('hour', start),
       sum(count), min(min), max(max), sum(sum)
  FROM telemetry_rollup
 WHERE bucket = '1m' AND start >= %(start)s AND start < %(end)s
 GROUP BY 1, 2, 3, 4, 6
ON CONFLICT (device_id, metric, bucket, start) DO UPDATE
   SET count = EXCLUDED.count, min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum
"""


def _floor(ts: datetime, unit: str) -> datetime:
    ts = ts.replace(second=0, microsecond=0)
    return ts.replace(minute=0) if unit == "hour" else ts


def roll_up(con: psycopg.Connection, now: datetime, look_back: timedelta = LOOK_BACK) -> None:
    """Recompute the 1-minute buckets of the last `look_back` up to the current minute, and
    the hours they fall in."""
    end = _floor(now, "minute")
    start = _floor(end - look_back, "minute")
    with con.transaction():
        con.execute(_MINUTES, {"start": start, "end": end})
        con.execute(_HOURS, {"start": _floor(start, "hour"), "end": end})


def keep_partitions(con: psycopg.Connection, now: datetime) -> list[str]:
    """Create the coming week's daily partitions; drop those older than RAW_DAYS and the
    1-minute rollups older than MINUTE_DAYS. Returns the partitions dropped."""
    dropped: list[str] = []
    with con.transaction():
        con.execute("SELECT telemetry_partitions_ahead(7)")
        cutoff = (now - timedelta(days=RAW_DAYS)).strftime("%Y%m%d")
        names = con.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'telemetry_reading'::regclass "
            "AND c.relname ~ '^telemetry_reading_[0-9]{8}$'"
        ).fetchall()
        for (name,) in names:
            if name[-8:] < cutoff:
                con.execute(f'DROP TABLE "{name}"')
                dropped.append(name)
        con.execute(
            "DELETE FROM telemetry_rollup WHERE bucket = '1m' AND start < %s",
            (now - timedelta(days=MINUTE_DAYS),),
        )
        con.execute(
            "DELETE FROM telemetry_reading_old WHERE ts < %s", (now - timedelta(days=RAW_DAYS),)
        )
    if dropped:
        log.info("dropped telemetry partitions %s", ", ".join(dropped))
    return dropped
