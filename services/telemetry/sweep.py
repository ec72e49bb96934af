"""The scheduled sweep of the failure model: score every device that sent telemetry
recently, keep each score, and raise one preemptive ticket per device at risk."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.columns import utcnow
from services.db import system_session, tenant_session
from services.devices.models import Equipment
from services.events.service import emit
from services.telemetry.preemptive import (
    CLOSED,
    REARM,
    assess,
    evidence_text,
    model_actor,
    suggested_window,
)
from services.telemetry.scores import FailurePrediction, PreemptiveWatch
from services.tickets.models import Ticket
from services.tickets.service import open_ticket

log = logging.getLogger(__name__)
RECENT = timedelta(hours=24)


def active_devices(now: datetime) -> list[uuid.UUID]:
    """Devices in service that sent a reading in the `RECENT` span before `now` (read as the
    owner: the sweep spans every organisation; each device is then scored inside its own)."""
    with system_session() as db:
        rows = db.execute(
            text(
                # The hourly rollups name the devices cheaply; the last hour's raw readings
                # add any the rollups have not reached yet.
                "SELECT e.id FROM equipment e WHERE e.decommissioned_at IS NULL AND e.id IN ("
                "SELECT device_id FROM telemetry_rollup WHERE bucket = '1h' AND start >= :since "
                "UNION SELECT device_id FROM telemetry_reading WHERE ts >= :hour)"
            ),
            {"since": now - RECENT, "hour": now - timedelta(hours=1)},
        ).all()
    return [row[0] for row in rows]


def _open_ticket_of(db: Session, watch: PreemptiveWatch | None, now: datetime) -> str:
    """'open' when the watch's ticket is still being worked, 'resting' when it closed less
    than a window ago, 'none' when the device may raise a new one."""
    if watch is None or watch.ticket_id is None:
        return "none"
    ticket = db.get(Ticket, watch.ticket_id)
    if ticket is None or ticket.status not in CLOSED:
        return "open"
    ended = ticket.closed_at or ticket.resolved_at or ticket.updated_at
    return "resting" if ended and now - ended < REARM else "none"


def score_device(db: Session, device: Equipment, now: datetime | None = None) -> dict[str, Any]:
    """Score `device`, record the score, and above the threshold open its preemptive ticket
    unless one is still open (then the watch only takes the new probability). Returns the
    assessment with `ticketId` and whether a ticket was `opened` now."""
    now = now or utcnow()
    result = assess(db, device, now)
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
            scored_at=now,
        )
    )
    db.execute(
        text(
            "INSERT INTO preemptive_watch (device_id, tenant_id, oem_tenant_id, probability, "
            "model_version, updated_at) VALUES (:d, :t, :o, :p, :v, :now) "
            "ON CONFLICT (device_id) DO UPDATE SET probability = :p, model_version = :v, "
            "updated_at = :now"
        ),
        {
            "d": device.id,
            "t": device.tenant_id,
            "o": device.manufacturer_tenant_id,
            "p": result["failureProbability30d"],
            "v": result["modelVersion"],
            "now": now,
        },
    )
    # The row lock makes two sweeps scoring the same device open one ticket between them.
    watch = db.get(PreemptiveWatch, device.id, with_for_update=True, populate_existing=True)
    opened = False
    at_risk = result["metricsSeen"] and result["failureProbability30d"] >= result["threshold"]
    if at_risk and _open_ticket_of(db, watch, now) == "none":
        ticket = _raise_ticket(db, device, result, now)
        watch.ticket_id, watch.ticket_opened_at = ticket.id, now
        db.add(watch)
        opened = True
    return {
        **result,
        "ticketId": str(watch.ticket_id) if watch.ticket_id else None,
        "opened": opened,
    }


def _raise_ticket(db: Session, device: Equipment, result: dict, now: datetime) -> Ticket:
    actor = model_actor(db, device)
    window = suggested_window(result["failureProbability30d"], now)
    priority = "P2" if result["failureProbability30d"] >= 0.8 else "P3"
    ticket = open_ticket(
        db,
        actor,
        device.id,
        priority,
        "PREDICTED-FAILURE",
        evidence_text(result, window),
        source="prediction",
    )
    emit(
        db,
        actor,
        "PreemptiveTicket",
        "ticket",
        ticket.id,
        {
            "deviceId": str(device.id),
            "failureProbability30d": result["failureProbability30d"],
            "topFactors": result["topFactors"],
            "modelVersion": result["modelVersion"],
            "suggestedWindow": {"from": window[0].isoformat(), "to": window[1].isoformat()},
        },
    )
    return ticket


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Score every active device, each in its owner's session; a device that fails to
    score is logged and skipped, never holding up the others. Returns the counts."""
    now = now or utcnow()
    counts = {"scored": 0, "opened": 0, "failed": 0}
    for device_id in active_devices(now):
        try:
            with system_session() as owner:
                device = owner.get(Equipment, device_id)
                actor = model_actor(owner, device)
            with tenant_session(actor) as db:
                seen = db.get(Equipment, device_id)
                outcome = score_device(db, seen, now)
            counts["scored"] += 1
            counts["opened"] += int(outcome["opened"])
        except Exception:  # one device's bad data must not stop the fleet's sweep
            log.exception("failure prediction: scoring device %s failed", device_id)
            counts["failed"] += 1
    return counts
