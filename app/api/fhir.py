"""FHIR R4 export of lab results, the patient consents it depends on, and the lab
console's actions (release results, acknowledge critical values).

Every export names its `purpose` and `recipient`; it is answered only while the patient's
consent for both is recorded and not revoked, and each one is audited."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.api.deps import require_roles
from services.actor import Actor
from services.common.roles import LAB_ADMINS, LAB_TEAM
from services.db import tenant_session
from services.errors import Invalid
from services.lab import consent, critical, verification
from services.lab.console import console
from services.lab.fhir import export_for_patient, export_report
from services.lab.watch import set_watch

router = APIRouter(tags=["fhir"])
lab = APIRouter(tags=["lab console"])
FHIR_JSON = "application/fhir+json"
PURPOSE = Query(..., description="why: treatment, insurance, research or patient_request")
RECIPIENT = Query(..., max_length=200, description="who receives the results, as consented")


@router.get(
    "/fhir/DiagnosticReport/{report_id}",
    summary="One report (an order's results) as a FHIR R4 DiagnosticReport",
    response_class=JSONResponse,
)
def diagnostic_report(
    report_id: uuid.UUID,
    purpose: str = PURPOSE,
    recipient: str = RECIPIENT,
    actor: Actor = Depends(require_roles(*LAB_TEAM)),
) -> JSONResponse:
    with tenant_session(actor) as db:
        body = export_report(db, actor, report_id, purpose, recipient)
    return JSONResponse(body, media_type=FHIR_JSON)


@router.get(
    "/fhir/DiagnosticReport",
    summary="A patient's reports as a FHIR R4 searchset Bundle",
    response_class=JSONResponse,
)
def search_reports(
    purpose: str = PURPOSE,
    recipient: str = RECIPIENT,
    patient_identifier: str | None = Query(None, alias="patient.identifier", max_length=80),
    patient: str | None = Query(None, max_length=80, description="the patient's identifier"),
    actor: Actor = Depends(require_roles(*LAB_TEAM)),
) -> JSONResponse:
    who = (patient_identifier or patient or "").split("|")[-1].strip()
    if not who:
        raise Invalid("patient.identifier", "name the patient's identifier")
    with tenant_session(actor) as db:
        body = export_for_patient(db, actor, who, purpose, recipient)
    return JSONResponse(body, media_type=FHIR_JSON)


class ConsentBody(BaseModel):
    patientIdentifier: str = Field(..., max_length=80)  # noqa: N815
    purpose: str = Field(..., description="treatment, insurance, research or patient_request")
    recipient: str = Field(..., max_length=200)
    version: str = Field(..., max_length=30, description="the consent text's version")
    givenAt: datetime | None = Field(None, description="when given; now when left out")  # noqa: N815


@lab.post("/lab/consents", status_code=201, summary="Record a patient's consent to share")
def record_consent(body: ConsentBody, actor: Actor = Depends(require_roles(*LAB_TEAM))) -> dict:
    with tenant_session(actor) as db:
        return consent.record_consent(
            db,
            actor,
            body.patientIdentifier,
            body.purpose,
            body.recipient,
            body.version,
            body.givenAt,
        )


@lab.get("/lab/consents", summary="A patient's consents, revoked ones included")
def list_consents(
    patient: str = Query(..., max_length=80), actor: Actor = Depends(require_roles(*LAB_TEAM))
) -> dict:
    with tenant_session(actor) as db:
        return {"consents": consent.list_consents(db, patient)}


class RevokeBody(BaseModel):
    reason: str = Field("", max_length=1000)


@lab.post("/lab/consents/{consent_id}/revoke", summary="Revoke a consent from now on")
def revoke_consent(
    consent_id: uuid.UUID, body: RevokeBody, actor: Actor = Depends(require_roles(*LAB_TEAM))
) -> dict:
    with tenant_session(actor) as db:
        return consent.revoke_consent(db, actor, consent_id, body.reason)


@lab.get("/lab/console", summary="What the lab console shows: results, queue, analyzers")
def lab_console(actor: Actor = Depends(require_roles(*LAB_TEAM))) -> dict:
    with tenant_session(actor) as db:
        return console(db)


class ReleaseBody(BaseModel):
    resultIds: list[uuid.UUID] = Field(..., max_length=500)  # noqa: N815


@lab.post("/lab/results/release", summary="Release results held for verification")
def release(body: ReleaseBody, actor: Actor = Depends(require_roles(*LAB_TEAM))) -> dict:
    with tenant_session(actor) as db:
        return {"released": verification.release(db, actor, body.resultIds)}


class AckBody(BaseModel):
    informed: str = Field(..., max_length=300, description="whom you informed")
    note: str = Field("", max_length=2000)


@lab.post("/lab/criticals/{critical_id}/acknowledge", summary="Acknowledge a critical value")
def acknowledge(
    critical_id: uuid.UUID, body: AckBody, actor: Actor = Depends(require_roles(*LAB_TEAM))
) -> dict:
    with tenant_session(actor) as db:
        critical.acknowledge(db, actor, critical_id, body.informed, body.note)
    return {"acknowledged": str(critical_id)}


@lab.put(
    "/lab/channels/{channel_id}/watch",
    summary="The lab's working hours and fault limit by which its analyzer is watched",
)
def watch(
    channel_id: uuid.UUID,
    body: dict = Body(
        ...,
        examples=[
            {
                "opens": "07:00",
                "closes": "21:00",
                "workdays": [0, 1, 2, 3, 4, 5],
                "roundTheClock": False,
                "faultsPerHour": 5,
            }
        ],
    ),
    actor: Actor = Depends(require_roles(*LAB_ADMINS)),
) -> dict:
    with tenant_session(actor) as db:
        return set_watch(db, actor, channel_id, body)
