"""QR label routes: generate, scan, validate deployment."""

from __future__ import annotations

import base64
import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import current_actor, require_roles
from services.actor import Actor
from services.common.roles import INSTALLERS
from services.db import tenant_session
from services.devices.registry import reissue_label
from services.devices.scanning import (
    log_refused_scan,
    scan,
    scanned_label,
    validate_deployment,
)
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.qr.links import label_png, label_url

router = APIRouter(prefix="/qr", tags=["qr"])


class GenerateBody(BaseModel):
    deviceId: uuid.UUID


class ScanBody(BaseModel):
    qrPayload: str = Field(
        max_length=2000,
        description="The label as scanned, or the short code printed on it (JFW7-JHQT)",
    )


class Location(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    lat: float = Field(ge=-90, le=90, description="Latitude in degrees (WGS 84)")
    lng: float = Field(ge=-180, le=180, description="Longitude in degrees (WGS 84)")


class ValidateBody(BaseModel):
    """Proof that the label was scanned (one of qrPayload or scanToken) and where."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["qrPayload"], "properties": {"qrPayload": {"type": "string"}}},
                {"required": ["scanToken"], "properties": {"scanToken": {"type": "string"}}},
            ]
        }
    )

    qrPayload: str | None = Field(
        None,
        min_length=1,
        max_length=2000,
        description="The label's content as scanned, or its short code as printed",
    )
    scanToken: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The scanToken POST /qr/scan returned to you (valid 10 minutes, for you only)",
    )
    qrId: uuid.UUID | None = Field(None, description="Optional; must be the scanned label")
    scanLocation: Location


@router.post("/generate", summary="A new label for a device (the old one stops working)")
def generate(body: GenerateBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        label = reissue_label(db, actor, body.deviceId)
    return {
        "qrId": str(label.id),
        "qrCode": base64.b64encode(label_png(label.payload)).decode(),
        "qrPayload": label.payload,
        "qrLink": label_url(label.payload),
    }


@router.post("/scan", summary="The device behind a scanned label")
def scan_label(body: ScanBody, actor: Actor = Depends(current_actor)) -> dict:
    try:
        with tenant_session(actor) as db:
            return scan(db, actor, body.qrPayload)
    except (Invalid, NotFound, Conflict) as exc:
        with tenant_session(actor) as db:
            log_refused_scan(db, actor, exc.message)
        raise


@router.post(
    "/validate",
    summary="Confirm a scanned label was deployed at its facility "
    "(technicians and service managers)",
)
def validate(body: ValidateBody, actor: Actor = Depends(require_roles(*INSTALLERS))) -> dict:
    try:
        with tenant_session(actor) as db:
            qr_id = scanned_label(actor, body.qrPayload, body.scanToken, body.qrId, db)
    except (Invalid, Forbidden, Conflict) as exc:
        with tenant_session(actor) as db:
            log_refused_scan(db, actor, f"deployment proof refused: {exc.message}")
        raise
    with tenant_session(actor) as db:
        return validate_deployment(db, actor, qr_id, body.scanLocation.lat, body.scanLocation.lng)
