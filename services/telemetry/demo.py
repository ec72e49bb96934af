"""Simulated telemetry for the demo devices, so the fleet view and the device page show real
charts after `make run`: the demo MRI degrades (its cold-head compressor works harder and
its helium boils off faster), the others stay healthy. Loading is idempotent: a device that
already sent telemetry in the last hour is left as it is."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from services.columns import utcnow
from services.db import owner_url, system_session
from services.telemetry.simulator import DeviceProfile, sample

log = logging.getLogger("yantra.telemetry.demo")
# (serial of a demo device, device type, days until it fails or None for a healthy one)
DEMO_TELEMETRY = (
    ("MVI-MR15-24-000117", "MRI", 16.0),
    ("MVI-CT128-23-000642", "CT", None),
    ("MVI-PM12-25-010233", "Patient monitor", None),
    ("PLS-VT7-25-000981", "Ventilator", None),
)
SPAN = timedelta(days=15)
EVERY_S = 600.0


def demo_profile(serial: str, device_type: str, fails_in_days: float | None, now: datetime):
    """The simulated character of one demo device (the same device every run)."""
    seed = int(uuid.uuid5(uuid.NAMESPACE_OID, serial).int % 1_000_000)
    failure = None if fails_in_days is None else now + timedelta(days=fails_in_days)
    return DeviceProfile(device_type, seed, failure, onset_days=35.0)


def load_readings(
    db: Session,
    device_id: uuid.UUID,
    profile: DeviceProfile,
    start: datetime,
    end: datetime,
    every_s: float = EVERY_S,
) -> int:
    """Write the profile's readings of `device_id` from `start` to `end` (owner's session;
    a reading already stored is kept). Returns how many readings were offered."""
    owner, oem = db.execute(
        text("SELECT tenant_id, manufacturer_tenant_id FROM equipment WHERE id = :d"),
        {"d": device_id},
    ).one()
    times, values = sample(profile, start, end, every_s)
    rows = [
        {
            "t": owner,
            "o": oem,
            "d": device_id,
            "ts": datetime.fromtimestamp(float(at), start.tzinfo),
            "seq": int(at // every_s),
            "m": json.dumps({name: round(float(v[i]), 3) for name, v in values.items()}),
        }
        for i, at in enumerate(times)
    ]
    db.execute(
        text(
            "INSERT INTO telemetry_reading (tenant_id, oem_tenant_id, device_id, ts, seq, "
            "metrics) VALUES (:t, :o, :d, :ts, :seq, CAST(:m AS jsonb)) ON CONFLICT DO NOTHING"
        ),
        rows,
    )
    return len(rows)


def roll_up_since(start: datetime, now: datetime) -> None:
    """The 1-minute and 1-hour rollups of everything since `start` (the ingest's own)."""
    import psycopg

    try:
        from services.telemetry.rollups import roll_up
    except ModuleNotFoundError:
        # Without the ingest's rollups the charts and the model read the raw readings.
        log.info("telemetry rollups not installed: demo readings stay raw")
        return

    url = owner_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as con:
        roll_up(con, now, look_back=now - start)


def seed_demo_telemetry(now: datetime | None = None) -> int:
    """Give each demo device of `DEMO_TELEMETRY` 15 days of readings up to `now` (unless it
    sent some in the last hour), roll them up and score the fleet once. Returns how many
    devices were loaded."""
    now = now or utcnow()
    loaded = 0
    with system_session() as db:
        for serial, device_type, fails_in in DEMO_TELEMETRY:
            device_id = db.execute(
                text("SELECT id FROM equipment WHERE serial_number = :s"), {"s": serial}
            ).scalar()
            if device_id is None:
                continue
            recent = db.execute(
                text(
                    "SELECT 1 FROM telemetry_reading WHERE device_id = :d AND ts >= :since LIMIT 1"
                ),
                {"d": device_id, "since": now - timedelta(hours=1)},
            ).first()
            if recent:
                continue
            profile = demo_profile(serial, device_type, fails_in, now)
            load_readings(db, device_id, profile, now - SPAN, now)
            loaded += 1
    if loaded:
        roll_up_since(now - SPAN, now)
        _score_past_week(now)
        from services.telemetry.sweep import sweep

        sweep(now)
    return loaded


def _score_past_week(now: datetime) -> None:
    """The scores the sweep would have kept once a day over the past week, so the device
    page's chart shows the risk building up (no tickets: those are the sweep's)."""
    from services.devices.models import Equipment
    from services.telemetry.preemptive import assess
    from services.telemetry.scores import FailurePrediction

    with system_session() as db:
        for serial, _type, _fails in DEMO_TELEMETRY:
            device = db.exec(select(Equipment).where(Equipment.serial_number == serial)).first()
            for days in range(7, 0, -1):
                if device is None:
                    break
                at = now - timedelta(days=days)
                result = assess(db, device, at)
                db.add(
                    FailurePrediction(
                        tenant_id=device.tenant_id,
                        oem_tenant_id=device.manufacturer_tenant_id,
                        device_id=device.id,
                        model_version=result["modelVersion"],
                        probability=result["failureProbability30d"],
                        threshold=result["threshold"],
                        top_factors=result["topFactors"],
                        window_end=result["windowEnd"],
                        scored_at=at,
                    )
                )
