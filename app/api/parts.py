"""Spare-part routes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.contract import page_limit
from app.api.deps import current_actor, require_roles
from services.actor import Actor
from services.common.roles import SERVICE_TEAM, STOCK_KEEPERS
from services.db import tenant_session
from services.parts import movements, stock_levels
from services.parts.service import reserve_parts, stock_at

router = APIRouter(prefix="/parts", tags=["parts"])


class ReserveBody(BaseModel):
    ticketId: uuid.UUID  # noqa: N815
    partCode: str = Field(..., max_length=60)  # noqa: N815
    hubId: uuid.UUID  # noqa: N815
    qty: int = Field(1, ge=1, le=1000)


@router.post(
    "/reserve",
    status_code=201,
    summary="Hold parts at a hub for a ticket (409 when stock is short)",
)
def reserve(body: ReserveBody, actor: Actor = Depends(require_roles(*SERVICE_TEAM))) -> dict:
    with tenant_session(actor) as db:
        held = reserve_parts(db, actor, body.ticketId, body.partCode, body.hubId, body.qty)
        return {
            "reservationId": str(held.id),
            "ticketId": str(held.ticket_id),
            "partCode": body.partCode,
            "hubId": str(held.area_id),
            "qty": held.qty,
            "status": held.status,
        }


@router.get("/stock/{hub_id}", summary="Parts on hand, reserved and free at one of your hubs")
def stock(hub_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return {"hubId": str(hub_id), "parts": stock_at(db, hub_id)}


class ReceiptLineBody(BaseModel):
    partCode: str = Field(..., min_length=1, max_length=60)  # noqa: N815
    qty: int = Field(..., ge=1, le=movements.MAX_QTY)
    batch: str = Field("", max_length=60)
    serials: list[str] = Field(default_factory=list, max_length=movements.MAX_QTY)


class ReceiptBody(BaseModel):
    hubId: uuid.UUID  # noqa: N815
    reference: str = Field("", max_length=120)
    lines: list[ReceiptLineBody] = Field(..., min_length=1, max_length=movements.MAX_LINES)


class TransferBody(BaseModel):
    fromHubId: uuid.UUID  # noqa: N815
    toHubId: uuid.UUID  # noqa: N815
    partCode: str = Field(..., min_length=1, max_length=60)  # noqa: N815
    qty: int = Field(..., ge=1, le=movements.MAX_QTY)
    note: str = Field("", max_length=500)


class AdjustmentBody(BaseModel):
    hubId: uuid.UUID  # noqa: N815
    partCode: str = Field(..., min_length=1, max_length=60)  # noqa: N815
    change: int = Field(..., ge=-movements.MAX_QTY, le=movements.MAX_QTY)
    reason: str = Field(..., min_length=3, max_length=500)


class UsedBody(BaseModel):
    partCode: str = Field(..., min_length=1, max_length=60)  # noqa: N815
    qty: int = Field(..., ge=1, le=movements.MAX_QTY)


class ConsumptionBody(BaseModel):
    ticketId: uuid.UUID  # noqa: N815
    used: list[UsedBody] = Field(default_factory=list, max_length=movements.MAX_LINES)
    releaseRest: bool = True  # noqa: N815


class ReorderBody(BaseModel):
    hubId: uuid.UUID  # noqa: N815
    partCode: str = Field(..., min_length=1, max_length=60)  # noqa: N815
    reorderPoint: int = Field(..., ge=0, le=100_000)  # noqa: N815


@router.post("/receipts", status_code=201, summary="Book a delivery of parts into a hub")
def receive(body: ReceiptBody, actor: Actor = Depends(require_roles(*STOCK_KEEPERS))) -> dict:
    lines = [movements.ReceiptLine(x.partCode, x.qty, x.batch, x.serials) for x in body.lines]
    with tenant_session(actor) as db:
        receipt = movements.receive_stock(db, actor, body.hubId, lines, body.reference)
        return {
            "receiptId": str(receipt),
            "stock": stock_levels.stock_overview(db, actor, body.hubId),
        }


@router.post("/transfers", status_code=201, summary="Move free stock between two of your hubs")
def transfer(body: TransferBody, actor: Actor = Depends(require_roles(*STOCK_KEEPERS))) -> dict:
    with tenant_session(actor) as db:
        moved = movements.transfer_stock(
            db, actor, body.fromHubId, body.toHubId, body.partCode, body.qty, body.note
        )
        return {"transferId": str(moved), "partCode": body.partCode, "qty": body.qty}


@router.post("/adjustments", status_code=201, summary="Correct a count at a hub, with a reason")
def adjust(body: AdjustmentBody, actor: Actor = Depends(require_roles(*STOCK_KEEPERS))) -> dict:
    with tenant_session(actor) as db:
        row = movements.adjust_stock(db, actor, body.hubId, body.partCode, body.change, body.reason)
        return {"movementId": str(row.id), "onHandAfter": row.on_hand_after}


@router.post(
    "/consumption", status_code=201, summary="Parts a job used; the rest of its reservation freed"
)
def consume(body: ConsumptionBody, actor: Actor = Depends(require_roles(*SERVICE_TEAM))) -> dict:
    used = [(u.partCode, u.qty) for u in body.used]
    with tenant_session(actor) as db:
        return movements.consume_for_job(db, actor, body.ticketId, used, body.releaseRest)


@router.put("/reorder-points", summary="Set a part's reorder point at a hub")
def reorder(body: ReorderBody, actor: Actor = Depends(require_roles(*STOCK_KEEPERS))) -> dict:
    with tenant_session(actor) as db:
        return stock_levels.set_reorder_point(
            db, actor, body.hubId, body.partCode, body.reorderPoint
        )


@router.get("/low-stock", summary="Stock lines at or below their reorder point")
def low(actor: Actor = Depends(require_roles(*STOCK_KEEPERS))) -> dict:
    with tenant_session(actor) as db:
        return {"lines": stock_levels.low_stock(db, actor)}


@router.get("/movements", summary="The movement ledger, newest first")
def ledger(
    limit: int = page_limit(50, stock_levels.MAX_MOVEMENTS),
    hubId: uuid.UUID | None = None,  # noqa: N803
    actor: Actor = Depends(require_roles(*STOCK_KEEPERS)),
) -> dict:
    with tenant_session(actor) as db:
        return {"movements": stock_levels.recent_movements(db, actor, limit, hubId)}
