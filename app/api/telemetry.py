"""Telemetry routes: a device's MQTT credential (issue or rotate, list, revoke), its
readings (points or rollups) and the payloads its telemetry had refused. The alarm rules
an OEM sets are in `telemetry_rules.py`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Query
from sqlalchemy import text

from app.api.deps import require_roles
from services.actor import Actor
from services.common.roles import DEVICE_VIEWERS, TELEMETRY_PROVISIONERS
from services.db import tenant_session
from services.errors import Invalid, NotFound
from services.telemetry import broker
from services.telemetry.credentials import issue_credential, list_credentials, revoke_credentials
from services.telemetry.quarantine import PAGE_SIZE, quarantine_page
from services.telemetry.readings import series
from services.telemetry.schema import metrics_of

router = APIRouter(tags=["telemetry"])


def _when(raw: str | None, name: str, default: datetime) -> datetime:
    if not raw:
        return default
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(name, "must be an ISO 8601 time, e.g. 2026-12-01T10:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _device_type(db, device_id: uuid.UUID) -> str:
    row = db.execute(
        text("SELECT s.category FROM equipment e JOIN sku s ON s.id = e.sku_id WHERE e.id = :d"),
        {"d": device_id},
    ).first()
    if row is None:
        raise NotFound("No device with that id that you can see")
    return row[0]


@router.post(
    "/devices/{device_id}/telemetry-credentials",
    status_code=201,
    summary="Issue the device's MQTT credential (revoking any it had): the password is shown once",
)
def issue(
    device_id: uuid.UUID, actor: Actor = Depends(require_roles(*TELEMETRY_PROVISIONERS))
) -> dict:
    with tenant_session(actor) as db:
        issued = issue_credential(db, actor, device_id)
    broker.credentials_changed()
    return issued


@router.get(
    "/devices/{device_id}/telemetry-credentials",
    summary="The device's credentials, live and revoked, without secrets",
)
def credentials(
    device_id: uuid.UUID, actor: Actor = Depends(require_roles(*TELEMETRY_PROVISIONERS))
) -> dict:
    with tenant_session(actor) as db:
        _device_type(db, device_id)
        return {"items": list_credentials(db, device_id)}


@router.delete(
    "/devices/{device_id}/telemetry-credentials",
    summary="Revoke the device's credentials: it can no longer connect",
)
def revoke(
    device_id: uuid.UUID, actor: Actor = Depends(require_roles(*TELEMETRY_PROVISIONERS))
) -> dict:
    with tenant_session(actor) as db:
        revoked = revoke_credentials(db, actor, device_id)
    broker.credentials_changed()
    return {"revoked": revoked}


@router.get(
    "/devices/{device_id}/telemetry",
    summary="One metric of a device over a window: raw points, or 1-minute or 1-hour rollups",
)
def readings(
    device_id: uuid.UUID,
    metric: str = Query(..., description="e.g. temperature_c"),
    from_: str | None = Query(None, alias="from", description="ISO 8601; 24 h ago if left out"),
    to: str | None = Query(None, description="ISO 8601; now if left out"),
    bucket: str = Query("raw", description="raw, 1m or 1h"),
    actor: Actor = Depends(require_roles(*DEVICE_VIEWERS)),
) -> dict:
    end = _when(to, "to", datetime.now(UTC))
    start = _when(from_, "from", end - timedelta(hours=24))
    with tenant_session(actor) as db:
        known = metrics_of(_device_type(db, device_id))
        if metric not in known:
            raise Invalid("metric", f"must be one of {', '.join(known)}")
        points = series(db, device_id, metric, start, end, bucket)
    return {
        "deviceId": str(device_id),
        "metric": metric,
        "unit": known[metric].unit,
        "bucket": bucket,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "points": points,
    }


@router.get(
    "/devices/{device_id}/telemetry/quarantine",
    summary="The device's refused payloads, newest first, a page at a time, with the reason "
    "and counts by kind of reason",
)
def refused(
    device_id: uuid.UUID,
    page: int = Query(1, description="from 1"),
    per_page: int = Query(PAGE_SIZE, alias="perPage", description="1 to 100"),
    actor: Actor = Depends(require_roles(*DEVICE_VIEWERS)),
) -> dict:
    with tenant_session(actor) as db:
        _device_type(db, device_id)
        return quarantine_page(db, device_id, page, per_page)
