"""Spare-part routes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.deps import current_actor, require_roles
from services.actor import Actor
from services.common.roles import SERVICE_TEAM
from services.db import tenant_session
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
