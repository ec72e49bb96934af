"""Ticket routes: open, read, move through the status machine, comment."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from app.api.contract import page_limit
from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
from services.tickets import board
from services.tickets.service import add_comment, change_status, get_ticket, open_ticket

router = APIRouter(prefix="/tickets", tags=["tickets"])


class OpenBody(BaseModel):
    deviceId: uuid.UUID
    priority: str = Field(pattern="^P[1-4]$")
    errorCode: str | None = Field(default=None, max_length=40)
    description: str = Field(min_length=1, max_length=4000)
    source: str = "api"


class StatusBody(BaseModel):
    status: str = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=2000)


class CommentBody(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


@router.post("", status_code=201, summary="Open a ticket on a device")
def open_(body: OpenBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        ticket = open_ticket(
            db, actor, body.deviceId, body.priority, body.errorCode, body.description, body.source
        )
    return {"ticketId": str(ticket.id), "number": ticket.number}


@router.get("", summary="Tickets you can see, most urgent first")
def list_(
    status: str | None = Query(None, max_length=20),
    priority: str | None = Query(None, pattern="^P[1-4]$"),
    city: str | None = Query(None, max_length=120),
    open_only: bool = True,
    deviceId: uuid.UUID | None = Query(None, description="Only this device's tickets"),  # noqa: N803
    limit: int = page_limit(200, 1000),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return {
            "tickets": board.list_tickets(
                db,
                status=status,
                priority=priority,
                city=city,
                open_only=open_only,
                limit=limit,
                device_id=deviceId,
            )
        }


@router.get("/{ticket_id}", summary="A ticket with its history and SLA deadlines")
def read(ticket_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return get_ticket(db, ticket_id)


@router.patch("/{ticket_id}/status", status_code=204, summary="Move a ticket to a new status")
def move(ticket_id: uuid.UUID, body: StatusBody, actor: Actor = Depends(current_actor)):
    with tenant_session(actor) as db:
        change_status(db, actor, ticket_id, body.status, body.note)
    return Response(status_code=204)


@router.post("/{ticket_id}/comments", status_code=201, summary="Comment on a ticket")
def comment(ticket_id: uuid.UUID, body: CommentBody, actor: Actor = Depends(current_actor)):
    with tenant_session(actor) as db:
        event = add_comment(db, actor, ticket_id, body.body)
    return {"eventId": str(event.id)}


contracts = APIRouter(prefix="/contracts", tags=["tickets"])


@contracts.get("/{contract_id}/statement", summary="Penalties of a contract for one month")
def statement(
    contract_id: uuid.UUID,
    month: str = Query(..., pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM"),
    actor: Actor = Depends(current_actor),
) -> dict:
    from services.tickets.statements import monthly_statement

    with tenant_session(actor) as db:
        return monthly_statement(db, contract_id, month)
