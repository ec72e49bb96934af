"""Scoring devices with the failure model, and the preemptive tickets it raises.

`predict` answers one device for a person (the API). `score_device` is what the scheduled
sweep does per device: score it, keep the score, and above the model's threshold open one
preemptive ticket (source `prediction`, event `PreemptiveTicket`) with the evidence and a
suggested visit window. The device's preemptive watch row, locked while scoring, makes a
re-score update that ticket instead of opening another.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor, Role, TenantKind
from services.catalog.models import Sku
from services.columns import utcnow
from services.common.clock import ist_text
from services.common.roles import FLEET_WATCHERS
from services.devices.models import Equipment
from services.errors import NotFound
from services.telemetry.features import WINDOW_HOURS, feature_rows, hourly
from services.telemetry.prediction import HORIZON_DAYS, load_model
from services.telemetry.readings import window
from services.telemetry.schema import metrics_of
from services.telemetry.simulator import METRICS

CLOSED = ("resolved", "closed", "cancelled")
# After a preemptive ticket is closed, the device's window still holds the old readings:
# wait a full window before the same device may raise another.
REARM = timedelta(hours=WINDOW_HOURS)
MODEL_LABEL = "Failure model"
_COVERED_S = 24 * 3600.0


def device_type_of(db: Session, device: Equipment) -> str | None:
    sku = db.get(Sku, device.sku_id)
    return sku.category if sku else None


def _windows(db: Session, device_id: uuid.UUID, metrics: tuple[str, ...], end: datetime) -> dict:
    """Hourly windows per metric: from the 1-hour rollups, else from the raw readings."""
    start = end - timedelta(hours=WINDOW_HOURS)
    rows = db.execute(
        text(
            "SELECT metric, array_agg(extract(epoch FROM start)::float8), array_agg(sum), "
            "array_agg(count) FROM telemetry_rollup WHERE device_id = :d AND bucket = '1h' "
            "AND start >= :s AND start < :e AND metric = ANY(:m) GROUP BY metric"
        ),
        {"d": device_id, "s": start, "e": end, "m": list(metrics)},
    ).all()
    # Rollups that begin well inside the window (readings loaded before the ingest rolled
    # them up) would hide days the raw readings hold: read those instead.
    if rows and min(min(t) for _m, t, _s, _c in rows) <= start.timestamp() + _COVERED_S:
        return {m: hourly(t, total, end, m, count) for m, t, total, count in rows}
    readings = window(db, device_id, start, end, metrics)
    out: dict[str, np.ndarray] = {}
    for metric in metrics:
        points = [(ts.timestamp(), value) for ts, name, value in readings if name == metric]
        if points:
            times, values = zip(*points, strict=True)
            out[metric] = hourly(np.array(times), np.array(values), end, metric)
    return out


def assess(
    db: Session,
    device: Equipment | uuid.UUID,
    at: datetime | None = None,
    device_type: str | None = None,
) -> dict[str, Any]:
    """The failure model's view of `device` (of `device_type`, read from its SKU when not
    given) over the 14 days before `at` (default now): probability of failure within 30
    days, top factors, the model's version and threshold, and the metrics that had
    readings."""
    model = load_model()
    end = (at or utcnow()).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if isinstance(device, Equipment):
        device_type, device = device_type_of(db, device), device.id
    metrics = METRICS.get(device_type or "", ("temperature_c", "self_test_warnings"))
    windows = _windows(db, device, metrics, end)
    if not windows:
        probability, factors = 0.0, []
    else:
        probability, factors = model.explain(feature_rows(device_type or "", windows)[0])
    known = metrics_of(device_type)
    for factor in factors:
        metric = known.get(factor["metric"])
        factor["label"] = metric.label if metric else factor["metric"]
        factor["unit"] = metric.unit if metric else ""
    return {
        "failureProbability30d": round(probability, 4),
        "topFactors": factors,
        "modelVersion": model.version,
        "threshold": model.threshold,
        "metricsSeen": sorted(windows),
        "windowEnd": end,
    }


def predict(db: Session, actor: Actor, device_id: uuid.UUID) -> dict[str, Any]:
    """The failure probability within 30 days of a device the actor may see, with its top
    factors and the model's version. Raises Forbidden (role) or NotFound (device)."""
    actor.require(*FLEET_WATCHERS)
    # One round trip: the device as the caller may see it, and its type.
    row = db.execute(
        text(
            "SELECT e.id, s.category FROM equipment e LEFT JOIN sku s ON s.id = e.sku_id "
            "WHERE e.id = :d"
        ),
        {"d": device_id},
    ).first()
    if row is None:
        raise NotFound("No device with that id that you can see")
    result = assess(db, row.id, device_type=row.category)
    return {k: result[k] for k in ("failureProbability30d", "topFactors", "modelVersion")}


def model_actor(db: Session, device: Equipment) -> Actor:
    """Who the failure model acts as on `device`: its owner's organisation, so the ticket
    reaches whoever services the device (the manufacturer or the partner it was granted to)."""
    kind = db.execute(
        text("SELECT kind FROM tenant_directory() WHERE id = :t"), {"t": device.tenant_id}
    ).scalar()
    return Actor(
        user_id=None,
        tenant_id=device.tenant_id,
        tenant_kind=TenantKind(kind or TenantKind.HOSPITAL_CHAIN),
        roles=frozenset({Role.BUYER_USER}),
        label=MODEL_LABEL,
    )


def chance(probability: float | None) -> str:
    """A model's probability as people read it: never a certain 0 % or 100 %."""
    if probability is None:
        return "—"
    if probability >= 0.995:
        return "over 99%"
    if probability < 0.005:
        return "under 1%"
    return f"{100 * probability:.0f}%"


def evidence_text(result: dict[str, Any], window: tuple[datetime, datetime]) -> str:
    """The preemptive ticket's description: probability, factors, suggested window."""
    lines = [
        f"The failure model puts this device's chance of failing within {HORIZON_DAYS} days "
        f"at {chance(result['failureProbability30d'])} ({result['modelVersion']}).",
        "Evidence:",
    ]
    for f in result["topFactors"]:
        lines.append(f"- {f['label']}: {f['statistic']} = {f['value']:g} {f['unit']}".rstrip())
    lines.append(
        f"Suggested visit: {ist_text(window[0], '%d %b %Y')} to "
        f"{ist_text(window[1], '%d %b %Y')} (IST), before the failure."
    )
    return "\n".join(lines)


def suggested_window(probability: float, now: datetime) -> tuple[datetime, datetime]:
    """When to visit: within 3 days when the risk is high, else within a week."""
    days = 3 if probability >= 0.8 else 7
    start = now + timedelta(days=1)
    return start, now + timedelta(days=days)
