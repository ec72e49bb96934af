"""Alarm rules: the rules watching an OEM's devices of a type (or one device), with the
defaults beside; its service manager replaces a rule's numbers or goes back to the defaults."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from app.api.deps import require_roles
from services.actor import Actor
from services.common.roles import ALARM_RULE_EDITORS, FLEET_WATCHERS
from services.db import tenant_session
from services.errors import Invalid
from services.telemetry.rule_limits import Limits
from services.telemetry.rule_settings import (
    RuleChange,
    device_types,
    reset_rule,
    rules_view,
    set_rule,
)

router = APIRouter(tags=["telemetry"])


class RuleBody(BaseModel):
    deviceType: str = Field(default="", max_length=60, description="left out for a device")
    rule: str = Field(min_length=1, max_length=60, description="e.g. helium_low")
    deviceId: uuid.UUID | None = Field(default=None, description="one device only")
    limit: float = Field(default=0, description="the threshold, or a rate per minute")
    clear: float = Field(default=0, description="where the alarm clears (hysteresis)")
    minDurationS: int = Field(
        description="how long tripped before the alarm; for silence, how long without data"
    )
    priority: str = Field(max_length=2, description="P1 to P4")


@router.get(
    "/telemetry/rules",
    summary="The alarm rules of a device type (or one device) as they watch the OEM's devices",
)
def rules(
    device_type: str | None = Query(None, alias="deviceType", description="e.g. MRI"),
    device_id: uuid.UUID | None = Query(None, alias="deviceId"),
    oem_id: uuid.UUID | None = Query(
        None, alias="oemId", description="whose numbers; the caller's organisation if left out"
    ),
    actor: Actor = Depends(require_roles(*FLEET_WATCHERS, *ALARM_RULE_EDITORS)),
) -> dict:
    if device_type is None:
        return {"deviceTypes": device_types()}
    with tenant_session(actor) as db:
        return {
            "deviceType": device_type,
            "deviceId": str(device_id) if device_id else None,
            "rules": rules_view(db, oem_id or actor.tenant_id, device_type, device_id),
        }


@router.put(
    "/telemetry/rules",
    summary="Replace one rule's numbers for the OEM's devices of a type, or for one device",
)
def put_rule(body: RuleBody, actor: Actor = Depends(require_roles(*ALARM_RULE_EDITORS))) -> dict:
    if not body.deviceType and body.deviceId is None:
        raise Invalid("deviceType", "name the device type, or give a deviceId")
    change = RuleChange(
        body.deviceType,
        body.rule,
        Limits(body.limit, body.clear, body.minDurationS, body.priority),
        body.deviceId,
    )
    with tenant_session(actor) as db:
        return set_rule(db, actor, change)


@router.delete(
    "/telemetry/rules",
    summary="Back to the defaults for a rule of a device type (or to the type's for a device)",
)
def delete_rule(
    rule: str = Query(..., max_length=60),
    device_type: str = Query("", alias="deviceType", max_length=60),
    device_id: uuid.UUID | None = Query(None, alias="deviceId"),
    actor: Actor = Depends(require_roles(*ALARM_RULE_EDITORS)),
) -> dict:
    with tenant_session(actor) as db:
        return {"reset": reset_rule(db, actor, device_type, rule, device_id)}
