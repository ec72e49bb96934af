"""Device registry routes: register, bulk import, list, identify, one device, kits."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from app.api.contract import page_cursor, page_limit
from app.api.deps import current_actor, download_actor, require_roles
from services.actor import Actor
from services.common.roles import DEVICE_IMPORTERS, REGISTRARS
from services.common.tasks import send_task
from services.db import tenant_session
from services.devices import bulk, labels, queries
from services.devices.models import DeviceRegistrationBatch
from services.devices.registry import RegisterDevice, register_device
from services.devices.scanning import device_by_label
from services.errors import NotFound
from services.qr.links import label_png
from services.rendering import csv_row

router = APIRouter(prefix="/devices", tags=["devices"])


class RegisterBody(BaseModel):
    serialNumber: str = Field(min_length=1, max_length=80)
    skuCode: str = Field(min_length=1, max_length=64)
    facilityId: uuid.UUID
    installationDate: date | None = None
    udi: str | None = Field(default=None, max_length=200)
    amcStatus: str = "none"
    amcStart: date | None = None
    amcEnd: date | None = None
    slaTier: str | None = None


class BulkBody(BaseModel):
    manufacturerId: uuid.UUID
    batchId: str = Field(min_length=1, max_length=80)
    devices: list[dict[str, Any]] = Field(min_length=1, max_length=bulk.MAX_ROWS)


class SelectionBody(BaseModel):
    deviceIds: list[uuid.UUID] = Field(min_length=1, max_length=labels.MAX_SELECTION)
    startAt: int = Field(1, ge=1, le=21, description="First free label of a part-used sheet")
    cover: bool = Field(True, description="Facility cover pages with the checklist first")


def _png_b64(payload: str) -> str:
    import base64

    return base64.b64encode(label_png(payload)).decode()


@router.post("/register", status_code=201, summary="Register one installed device")
def register(body: RegisterBody, actor: Actor = Depends(require_roles(*REGISTRARS))) -> dict:
    with tenant_session(actor) as db:
        device, label = register_device(
            db,
            actor,
            RegisterDevice(
                serial_number=body.serialNumber,
                sku_code=body.skuCode,
                facility_id=body.facilityId,
                installation_date=body.installationDate,
                udi=body.udi,
                amc_status=body.amcStatus,
                amc_start=body.amcStart,
                amc_end=body.amcEnd,
                sla_tier=body.slaTier,
            ),
        )
    return {"deviceId": str(device.id), "qrId": str(label.id), "qrCode": _png_b64(label.payload)}


@router.post("/bulk-import", status_code=201, summary="Import a manufacturer's devices")
def bulk_import(
    body: BulkBody, response: Response, actor: Actor = Depends(require_roles(*DEVICE_IMPORTERS))
) -> dict:
    with tenant_session(actor) as db:
        batch, created = bulk.start_batch(
            db, actor, body.manufacturerId, body.batchId, body.devices
        )
        view = bulk.batch_view(db, batch, error_limit=0)
    if created or batch.status in ("queued", "processing"):
        send_task("devices.process_batch", str(batch.id))
    if not created:
        response.status_code = 200
    return view


def _batch(db, batch_id: uuid.UUID) -> DeviceRegistrationBatch:
    batch = db.get(DeviceRegistrationBatch, batch_id)
    if batch is None:
        raise NotFound("No such batch")
    return batch


@router.get("/batches/{batch_id}", summary="Progress and row errors of a bulk import")
def batch_status(batch_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return bulk.batch_view(db, _batch(db, batch_id))


@router.get("/batches/{batch_id}/errors.csv", summary="Row errors of a bulk import as CSV")
def batch_errors_csv(batch_id: uuid.UUID, actor: Actor = Depends(download_actor)) -> Response:
    with tenant_session(actor) as db:
        _batch(db, batch_id)
        rows = bulk.batch_errors(db, batch_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "serialNumber", "skuCode", "error"])
    writer.writerows(csv_row([r.row_number, r.serial_number, r.sku_code, r.error]) for r in rows)
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}-errors.csv"'},
    )


@router.get("/batches/{batch_id}/kit.pdf", summary="The printable QR deployment kit of a batch")
def batch_kit(batch_id: uuid.UUID, actor: Actor = Depends(download_actor)) -> Response:
    with tenant_session(actor) as db:
        pdf = labels.kit_pdf(db, batch_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="qr-kit-{batch_id}.pdf"'},
    )


@router.post(
    "/kit",
    summary="Printable labels for chosen devices; they count as printed once confirmed "
    "(POST /devices/label-prints/{id}/confirm, the id is in the X-Label-Print-Job header)",
)
def selection_kit(
    body: SelectionBody, actor: Actor = Depends(require_roles(*REGISTRARS))
) -> Response:
    with tenant_session(actor) as db:
        job, pdf = labels.print_labels(db, actor, body.deviceIds, body.startAt, body.cover)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="qr-kit.pdf"',
            "X-Label-Print-Job": str(job.id),
        },
    )


@router.post(
    "/label-prints/{job_id}/confirm",
    summary="The printed labels are stuck on: their devices become qr_printed",
)
def confirm_labels(job_id: uuid.UUID, actor: Actor = Depends(require_roles(*REGISTRARS))) -> dict:
    with tenant_session(actor) as db:
        changed = labels.confirm_print(db, actor, job_id)
    return {"printJobId": str(job_id), "devicesMarkedPrinted": changed}


@router.get("", summary="Devices you can see, paged by serial")
def list_devices(
    facilityId: uuid.UUID | None = None,
    status: str | None = None,  # noqa: N803
    q: str | None = Query(None, max_length=100),
    amcBefore: date | None = None,  # noqa: N803
    limit: int = page_limit(50, 500),
    after: str | None = page_cursor(),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return queries.list_devices(
            db,
            facility_id=facilityId,
            status=status,
            q=q,
            amc_before=amcBefore,
            limit=limit,
            after=after,
        )


@router.get(
    "/identify", summary="Find a device by serial number, GS1 UDI or its label's short code"
)
def identify(
    serial: str | None = Query(None, max_length=80),
    udi: str | None = Query(None, max_length=200),
    code: str | None = Query(None, max_length=40, description="As printed, e.g. JFW7-JHQT"),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        if code:
            return {"devices": [device_by_label(db, code, field="code")]}
        return {"devices": queries.identify(db, serial=serial, udi=udi)}


@router.get("/{device_id}", summary="One device: contract, SLA, label, deployments, history")
def device(device_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return queries.get_device(db, device_id)
