"""Award, purchase orders (PDF) and orders through fulfilment."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import current_actor, download_actor
from services.actor import Actor
from services.contracts.models import Contract
from services.db import tenant_session
from services.errors import NotFound
from services.orders.acceptance import attach_photo
from services.orders.deals import award_preview
from services.orders.models import OrderAttachment
from services.orders.po_pdf import render_po
from services.orders.service import (
    Award,
    award_quote,
    get_order,
    get_po,
    list_orders,
    move_order,
    order_json,
)
from services.tenancy.service import directory
from services.uploads import PHOTO_BYTES, body_limit, read_file

router = APIRouter(tags=["orders"])


class AwardBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quoteId: uuid.UUID  # noqa: N815
    slaTier: str = Field("gold", max_length=20)  # noqa: N815
    facilityId: uuid.UUID | None = None  # noqa: N815


class MoveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(max_length=20)
    serials: dict[str, Any] | None = None  # {skuCode: [serial, ...]} when shipping
    note: str = Field("", max_length=2000)
    shipment: dict[str, Any] | None = Field(
        None, description="When shipping: {transporter, docketNumber}"
    )
    goodsReceipt: dict[str, Any] | None = Field(  # noqa: N815
        None,
        description="When delivered: {receivedOn, condition (good | damaged | incomplete), "
        "damageNotes, receivedBy, photoIds}",
    )
    installationReport: dict[str, Any] | None = Field(  # noqa: N815
        None,
        description="When installed: {installedOn, checks, training, engineerName, "
        "engineerSignature, buyerName, buyerSignature, notes, photoIds}",
    )


@router.post(
    "/rfqs/{rfq_id}/award",
    status_code=201,
    summary="Award the RFQ to a quote: contract, purchase order and order",
)
def award(rfq_id: uuid.UUID, body: AwardBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        site = body.facilityId
        if site is None:  # the RFQ's own site, as the award dialog offers it
            found = award_preview(db, actor, rfq_id, body.quoteId)["facilityId"]
            site = uuid.UUID(found) if found else None
        return award_quote(db, actor, rfq_id, Award(body.quoteId, body.slaTier, site))


@router.get("/orders", summary="Orders you placed (buyers) or fulfil (OEMs), newest first")
def orders(actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return {"orders": list_orders(db, actor)}


@router.get("/orders/{order_id}", summary="One order with its lines, serials and timeline")
def order(order_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return order_json(db, get_order(db, order_id))


@router.post(
    "/orders/{order_id}/status",
    summary="Move an order: shipped (seller, with serials), delivered or installed "
    "(buyer; installed registers the devices), cancelled (buyer)",
)
def move(order_id: uuid.UUID, body: MoveBody, actor: Actor = Depends(current_actor)) -> dict:
    record = {
        "shipped": body.shipment,
        "delivered": body.goodsReceipt,
        "installed": body.installationReport,
    }.get(body.status)
    with tenant_session(actor) as db:
        order = move_order(db, actor, order_id, body.status, body.serials, body.note, record)
        return order_json(db, order)


@router.post(
    "/orders/{order_id}/photos",
    status_code=201,
    summary="Keep a delivery or installation photo on the order (the buyer); "
    "name its id in the goods-received note or installation report",
    max_body_size=body_limit(PHOTO_BYTES),
)
def add_photo(
    order_id: uuid.UUID,
    kind: str = Query(..., pattern="^(delivery|installation)$"),
    file: UploadFile = File(...),
    actor: Actor = Depends(current_actor),
) -> dict:
    data = read_file(file.file, PHOTO_BYTES, "photo")
    with tenant_session(actor) as db:
        photo = attach_photo(db, actor, get_order(db, order_id), kind, file.filename or "", data)
        return {"photoId": str(photo.id), "kind": photo.kind, "fileName": photo.file_name}


@router.get(
    "/orders/{order_id}/photos/{photo_id}",
    summary="A delivery or installation photo of an order",
    response_class=Response,
)
def photo(
    order_id: uuid.UUID, photo_id: uuid.UUID, actor: Actor = Depends(download_actor)
) -> Response:
    with tenant_session(actor) as db:
        kept = db.get(OrderAttachment, photo_id)
        if kept is None or kept.order_id != order_id:
            raise NotFound("No such photo on this order")
        return Response(kept.data, media_type=kept.content_type)


@router.get(
    "/purchase-orders/{po_id}.pdf", summary="The purchase order as a PDF", response_class=Response
)
def purchase_order_pdf(po_id: uuid.UUID, actor: Actor = Depends(download_actor)) -> Response:
    with tenant_session(actor) as db:
        po = get_po(db, po_id)
        names = directory(db)
        pdf = render_po(
            po,
            db.get(Contract, po.contract_id),
            names.get(po.tenant_id, ("", ""))[0],
            names.get(po.seller_tenant_id, ("", ""))[0],
        )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{po.label}.pdf"'},
    )
