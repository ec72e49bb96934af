"""Failure prediction: the probability that a device fails within 30 days."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Body, Depends

from app.api.deps import require_roles
from services.actor import Actor
from services.common.roles import FLEET_WATCHERS
from services.db import tenant_session
from services.errors import Invalid
from services.telemetry.preemptive import predict

router = APIRouter(tags=["telemetry"])


def _device_id(body: Any) -> uuid.UUID:
    raw = body.get("deviceId") if isinstance(body, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        raise Invalid("deviceId", "is required: the device's id")
    try:
        return uuid.UUID(raw.strip())
    except ValueError as exc:
        raise Invalid("deviceId", "must be a device id (a UUID)") from exc


@router.post(
    "/predict",
    summary="A device's probability of failing within 30 days, its top factors and the "
    "model's version",
)
def predict_failure(
    body: Any = Body(..., examples=[{"deviceId": "7d1c0c4e-1f0a-4b43-9d54-6f3b4c1f2a10"}]),
    actor: Actor = Depends(require_roles(*FLEET_WATCHERS)),
) -> dict:
    device_id = _device_id(body)
    with tenant_session(actor) as db:
        return predict(db, actor, device_id)
