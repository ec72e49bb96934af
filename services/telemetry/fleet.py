"""What the fleet health view and the device page's telemetry charts show: devices by
failure risk with their open alarms, and one device's metrics over the last days with its
alarm limits, alarms and failure scores. Reads only what the caller's session may see."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.columns import utcnow
from services.common.roles import FLEET_WATCHERS
from services.devices.models import Equipment
from services.errors import NotFound
from services.telemetry.prediction import load_model
from services.telemetry.preemptive import device_type_of
from services.telemetry.readings import series
from services.telemetry.schema import metrics_of

FLEET_LIMIT = 200
RECENT = timedelta(days=2)

_FLEET = """
WITH shown AS (
    SELECT device_id FROM telemetry_rollup WHERE bucket = '1h' AND start >= :since
    UNION SELECT device_id FROM telemetry_reading WHERE ts >= :hour
    UNION SELECT device_id FROM preemptive_watch
)
SELECT e.id, e.serial_number, s.name AS model, s.category, f.name AS site,
       coalesce(f.latitude, p.latitude) AS lat, coalesce(f.longitude, p.longitude) AS lng,
       p.city, w.probability, w.ticket_id, t.number AS ticket_number,
       t.status AS ticket_status,
       (SELECT count(*) FROM telemetry_alarm a WHERE a.device_id = e.id AND a.state = 'open')
           AS alarms,
       (SELECT max(r.ts) FROM telemetry_reading r WHERE r.device_id = e.id AND r.ts >= :since)
           AS last_seen
  FROM shown JOIN equipment e ON e.id = shown.device_id
  JOIN sku s ON s.id = e.sku_id
  LEFT JOIN healthcare_facilities f ON f.id = e.facility_id
  LEFT JOIN indian_pincodes p ON p.pincode = f.pincode
  LEFT JOIN preemptive_watch w ON w.device_id = e.id
  LEFT JOIN ticket t ON t.id = w.ticket_id
 WHERE e.decommissioned_at IS NULL
 ORDER BY w.probability DESC NULLS LAST, e.serial_number
 LIMIT :limit
"""
_ALARMS = """
SELECT a.id, a.device_id, e.serial_number, a.rule, a.metric, a.raised_at, a.last_value,
       a.ticket_id, e.manufacturer_tenant_id AS oem, s.category AS device_type
  FROM telemetry_alarm a JOIN equipment e ON e.id = a.device_id JOIN sku s ON s.id = e.sku_id
 WHERE a.state = 'open' ORDER BY a.raised_at DESC NULLS LAST LIMIT 50
"""


def risk_level(probability: float | None, threshold: float) -> str:
    """'high' at or above the model's threshold, 'watch' above half of it, else 'low';
    'unscored' before the first score."""
    if probability is None:
        return "unscored"
    if probability >= threshold:
        return "high"
    return "watch" if probability >= threshold / 2 else "low"


def fleet_health(db: Session, actor: Actor, now: datetime | None = None) -> dict[str, Any]:
    """The devices the actor may see that send telemetry or were scored, riskiest first
    (at most FLEET_LIMIT), and their open alarms. Raises Forbidden for other roles."""
    actor.require(*FLEET_WATCHERS)
    now = now or utcnow()
    threshold = load_model().threshold
    rows = db.execute(
        text(_FLEET),
        {"since": now - RECENT, "hour": now - timedelta(hours=1), "limit": FLEET_LIMIT},
    ).mappings()
    devices = [
        {
            "deviceId": str(r["id"]),
            "serial": r["serial_number"],
            "model": r["model"],
            "type": r["category"],
            "site": r["site"] or "",
            "city": r["city"] or "",
            "lat": r["lat"],
            "lng": r["lng"],
            "probability": r["probability"],
            "risk": risk_level(r["probability"], threshold),
            "ticketId": str(r["ticket_id"]) if r["ticket_id"] else None,
            "ticketNumber": r["ticket_number"],
            "ticketStatus": r["ticket_status"],
            "openAlarms": int(r["alarms"]),
            "lastSeen": r["last_seen"].isoformat() if r["last_seen"] else None,
        }
        for r in rows
    ]
    says = _AlarmWords(db)
    alarms = [
        {
            "alarmId": str(a["id"]),
            "deviceId": str(a["device_id"]),
            "serial": a["serial_number"],
            "rule": a["rule"],
            "says": says(a),
            "metric": a["metric"],
            "raisedAt": a["raised_at"].isoformat() if a["raised_at"] else None,
            "value": a["last_value"],
            "ticketId": str(a["ticket_id"]) if a["ticket_id"] else None,
        }
        for a in db.execute(text(_ALARMS)).mappings()
    ]
    return {"devices": devices, "alarms": alarms, "threshold": threshold}


class _AlarmWords:
    """What each alarm says with the numbers in force for its device (read once a device)."""

    def __init__(self, db: Session) -> None:
        self.db, self.by_device = db, {}

    def __call__(self, alarm) -> str:
        from services.telemetry.rule_settings import effective_rules  # the ingest's rules

        device_id = alarm["device_id"]
        if device_id not in self.by_device:
            rules = effective_rules(self.db, alarm["oem"], alarm["device_type"], device_id)
            self.by_device[device_id] = {r.name: r.says for r in rules}
        return self.by_device[device_id].get(alarm["rule"], alarm["rule"].replace("_", " "))


def device_telemetry(
    db: Session, actor: Actor, device_id: uuid.UUID, days: int = 7, now: datetime | None = None
) -> dict[str, Any]:
    """One device's metrics over the last `days` (hourly: average, low and high), each with
    its alarm limits; the alarms raised in that time; and the failure scores, with the
    model's threshold. Raises Forbidden (role) or NotFound (device)."""
    actor.require(*FLEET_WATCHERS)
    device = db.get(Equipment, device_id)
    if device is None:
        raise NotFound("No device with that id that you can see")
    now = now or utcnow()
    start = now - timedelta(days=days)
    device_type = device_type_of(db, device)
    from services.telemetry.rule_settings import effective_rules  # the ingest's alarm rules

    rules = effective_rules(db, device.manufacturer_tenant_id, device_type, device.id)
    metrics = []
    for metric in metrics_of(device_type).values():
        points = series(db, device.id, metric.name, start, now, "1h")
        if not points or points[0]["ts"] > (start + timedelta(days=1)).isoformat():
            raw = _hourly_from_raw(db, device.id, metric.name, start, now)
            points = raw if len(raw) > len(points) else points
        if not points:
            continue
        bands = [
            {"kind": r.kind, "limit": r.limit, "clear": r.clear, "says": r.says}
            for r in rules
            if r.metric == metric.name and r.kind in ("above", "below")
        ]
        metrics.append(
            {
                "name": metric.name,
                "label": metric.label,
                "unit": metric.unit,
                "points": points,
                "bands": bands,
            }
        )
    return {
        "deviceId": str(device.id),
        "type": device_type,
        "metrics": metrics,
        "alarms": _alarms_since(db, device.id, start),
        "scores": _scores_since(db, device.id, start),
        "threshold": load_model().threshold,
    }


def _hourly_from_raw(db: Session, device_id, metric: str, start, end) -> list[dict]:
    rows = db.execute(
        text(
            "SELECT date_trunc('hour', ts) AS h, count(*), min((metrics->>:m)::float8), "
            "max((metrics->>:m)::float8), avg((metrics->>:m)::float8) FROM telemetry_reading "
            "WHERE device_id = :d AND ts >= :s AND ts < :e AND metrics ? :m GROUP BY 1 ORDER BY 1"
        ),
        {"m": metric, "d": device_id, "s": start, "e": end},
    ).all()
    return [
        {"ts": h.isoformat(), "count": n, "min": lo, "max": hi, "avg": avg}
        for h, n, lo, hi, avg in rows
    ]


def _alarms_since(db: Session, device_id, start) -> list[dict]:
    rows = db.execute(
        text(
            "SELECT rule, metric, state, coalesce(raised_at, first_seen) AS at, cleared_at "
            "FROM telemetry_alarm WHERE device_id = :d AND (cleared_at IS NULL OR "
            "cleared_at >= :s) ORDER BY first_seen"
        ),
        {"d": device_id, "s": start},
    ).mappings()
    return [
        {
            "rule": r["rule"],
            "metric": r["metric"],
            "state": r["state"],
            "from": r["at"].isoformat(),
            "to": r["cleared_at"].isoformat() if r["cleared_at"] else None,
        }
        for r in rows
    ]


def _scores_since(db: Session, device_id, start) -> list[dict]:
    rows = db.execute(
        text(
            "SELECT scored_at, probability, top_factors FROM failure_prediction "
            "WHERE device_id = :d AND scored_at >= :s ORDER BY scored_at LIMIT 2000"
        ),
        {"d": device_id, "s": start},
    ).all()
    return [{"at": at.isoformat(), "probability": p, "factors": factors} for at, p, factors in rows]
