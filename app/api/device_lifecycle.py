"""Device lifecycle routes: edit a device's details, move it between the owner's sites,
take it out of service or back, and decommission it with a reason."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.deps import require_roles
from services.actor import Actor
from services.common.roles import DEVICE_KEEPERS
from services.db import tenant_session
from services.devices.lifecycle import DeviceEdit, set_service_state, transfer_device, update_device
from services.devices.models import Equipment

router = APIRouter(prefix="/devices", tags=["devices"])


class EditBody(BaseModel):
    serialNumber: str | None = Field(default=None, min_length=1, max_length=80)
    installationDate: date | None = None
    udi: str | None = Field(default=None, max_length=200)
    amcStatus: str | None = Field(default=None, max_length=10)
    amcStart: date | None = None
    amcEnd: date | None = None
    slaTier: str | None = Field(default=None, max_length=20)
    facilityId: uuid.UUID | None = None


class TransferBody(BaseModel):
    facilityId: uuid.UUID
    note: str = Field(default="", max_length=500)


class StateBody(BaseModel):
    state: Literal["in_service", "out_of_service"]
    reason: str = Field(default="", max_length=500)


class DecommissionBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def _view(device: Equipment) -> dict:
    return {
        "deviceId": str(device.id),
        "serialNumber": device.serial_number,
        "facilityId": str(device.facility_id) if device.facility_id else None,
        "serviceState": device.service_state,
        "serviceStateReason": device.service_state_reason,
        "lifecycleStatus": device.lifecycle_status,
    }


@router.patch("/{device_id}", summary="Edit a device's details or site (as at registration)")
def edit(
    device_id: uuid.UUID, body: EditBody, actor: Actor = Depends(require_roles(*DEVICE_KEEPERS))
) -> dict:
    with tenant_session(actor) as db:
        device = update_device(
            db,
            actor,
            device_id,
            DeviceEdit(
                serial_number=body.serialNumber,
                installation_date=body.installationDate,
                udi=body.udi,
                amc_status=body.amcStatus,
                amc_start=body.amcStart,
                amc_end=body.amcEnd,
                sla_tier=body.slaTier,
                facility_id=body.facilityId,
            ),
        )
        return _view(device)


@router.post("/{device_id}/transfer", summary="Move a device to another of your sites")
def transfer(
    device_id: uuid.UUID,
    body: TransferBody,
    actor: Actor = Depends(require_roles(*DEVICE_KEEPERS)),
) -> dict:
    with tenant_session(actor) as db:
        return _view(transfer_device(db, actor, device_id, body.facilityId, body.note))


@router.post("/{device_id}/service-state", summary="Take a device out of service, or back")
def service_state(
    device_id: uuid.UUID, body: StateBody, actor: Actor = Depends(require_roles(*DEVICE_KEEPERS))
) -> dict:
    with tenant_session(actor) as db:
        return _view(set_service_state(db, actor, device_id, body.state, body.reason))


@router.post("/{device_id}/decommission", summary="Decommission a device, with the reason")
def decommission(
    device_id: uuid.UUID,
    body: DecommissionBody,
    actor: Actor = Depends(require_roles(*DEVICE_KEEPERS)),
) -> dict:
    with tenant_session(actor) as db:
        return _view(set_service_state(db, actor, device_id, "decommissioned", body.reason))
