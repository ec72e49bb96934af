"""QR label routes: generate, scan, validate deployment."""

from __future__ import annotations

import base64
import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
from services.devices.registry import reissue_label
from services.devices.scanning import log_refused_scan, scan, validate_deployment
from services.errors import Conflict, Invalid, NotFound
from services.qr.symbols import qr_png

router = APIRouter(prefix="/qr", tags=["qr"])


class GenerateBody(BaseModel):
    deviceId: uuid.UUID


class ScanBody(BaseModel):
    qrPayload: str = Field(max_length=2000)


class Location(BaseModel):
    lat: float
    lng: float


class ValidateBody(BaseModel):
    qrId: uuid.UUID
    scanLocation: Location


@router.post("/generate", summary="A new label for a device (the old one stops working)")
def generate(body: GenerateBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        label = reissue_label(db, actor, body.deviceId)
    return {"qrId": str(label.id), "qrCode": base64.b64encode(qr_png(label.payload)).decode(),
            "qrPayload": label.payload}


@router.post("/scan", summary="The device behind a scanned label")
def scan_label(body: ScanBody, actor: Actor = Depends(current_actor)) -> dict:
    try:
        with tenant_session(actor) as db:
            return scan(db, actor, body.qrPayload)
    except (Invalid, NotFound, Conflict) as exc:
        with tenant_session(actor) as db:
            log_refused_scan(db, actor, exc.message)
        raise


@router.post("/validate", summary="Confirm a label was deployed at its facility")
def validate(body: ValidateBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return validate_deployment(db, actor, body.qrId, body.scanLocation.lat,
                                   body.scanLocation.lng)
