"""Contract and service desk routes: a customer's or OEM's service contracts with their
figures, the monthly statement PDF, a renewal turned into an RFQ; and the customer's
own tickets with comments, confirmation and reopening."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from app.api.contract import page_limit
from app.api.deps import download_actor, require_roles
from services.actor import Actor
from services.common.roles import CONTRACT_VIEWERS, RENEWERS, SERVICE_DESK_USERS
from services.contracts.renewals import request_renewal
from services.contracts.service import get_contract, list_contracts
from services.contracts.statement import statement_pdf
from services.db import tenant_session
from services.rfq.flows import schedule_expiry
from services.tickets import desk

router = APIRouter(prefix="/contracts", tags=["contracts"])
MONTH = Query(
    None, pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM (IST); the last 30 days if none"
)


@router.get("", summary="Your service contracts (as buyer or as seller), ending soonest first")
def list_(
    kind: str | None = Query(None, max_length=20, description="supply, amc, cmc or warranty"),
    actor: Actor = Depends(require_roles(*CONTRACT_VIEWERS)),
) -> dict:
    with tenant_session(actor) as db:
        return {"contracts": list_contracts(db, actor, kind)}


@router.get("/{contract_id}", summary="A contract with its devices' uptime, SLA and visits")
def read(
    contract_id: uuid.UUID,
    month: str | None = MONTH,
    actor: Actor = Depends(require_roles(*CONTRACT_VIEWERS)),
) -> dict:
    with tenant_session(actor) as db:
        return get_contract(db, actor, contract_id, month)


@router.get(
    "/{contract_id}/statement.pdf",
    summary="The contract's statement for one month, as a PDF",
    response_class=Response,
)
def statement(
    contract_id: uuid.UUID,
    month: str = Query(..., pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM"),
    actor: Actor = Depends(download_actor),
) -> Response:
    actor.require(*CONTRACT_VIEWERS)
    with tenant_session(actor) as db:
        pdf = statement_pdf(db, actor, contract_id, month)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="statement-{month}.pdf"'},
    )


@router.post("/{contract_id}/renewal", status_code=201, summary="Ask the OEM to quote a renewal")
def renewal(contract_id: uuid.UUID, actor: Actor = Depends(require_roles(*RENEWERS))) -> dict:
    with tenant_session(actor) as db:
        rfq = request_renewal(db, actor, contract_id)
    schedule_expiry(rfq)
    return {"rfqId": str(rfq.id), "number": rfq.number}


service = APIRouter(prefix="/service", tags=["service desk"])


class CommentBody(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class ConfirmBody(BaseModel):
    note: str = Field(default="", max_length=2000)


class ReopenBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@service.get("/tickets", summary="Your organisation's tickets, open first, with SLA and ETA")
def tickets(
    site: uuid.UUID | None = None,
    deviceType: str | None = Query(None, max_length=80),  # noqa: N803
    status: str | None = Query(None, max_length=20, description="open, resolved or closed"),
    limit: int = page_limit(200, 500),
    actor: Actor = Depends(require_roles(*SERVICE_DESK_USERS)),
) -> dict:
    with tenant_session(actor) as db:
        rows = desk.desk_tickets(
            db, actor, site=site, device_type=deviceType, status=status, limit=limit
        )
    return {"tickets": rows}


@service.get("/devices", summary="Your devices by site, with uptime over 30 days")
def devices(actor: Actor = Depends(require_roles(*SERVICE_DESK_USERS))) -> dict:
    with tenant_session(actor) as db:
        return {"sites": desk.devices_by_site(db, actor)}


@service.post("/tickets/{ticket_id}/comments", status_code=201, summary="Comment on your ticket")
def comment(
    ticket_id: uuid.UUID,
    body: CommentBody,
    actor: Actor = Depends(require_roles(*SERVICE_DESK_USERS)),
) -> dict:
    with tenant_session(actor) as db:
        event = desk.comment(db, actor, ticket_id, body.body)
    return {"eventId": str(event.id)}


@service.post("/tickets/{ticket_id}/confirm", summary="Confirm a resolved ticket's fix")
def confirm(
    ticket_id: uuid.UUID,
    body: ConfirmBody | None = None,
    actor: Actor = Depends(require_roles(*SERVICE_DESK_USERS)),
) -> dict:
    with tenant_session(actor) as db:
        ticket = desk.confirm(db, actor, ticket_id, body.note if body else "")
    return {"ticketId": str(ticket.id), "status": ticket.status}


@service.post("/tickets/{ticket_id}/reopen", summary="Reopen a resolved ticket in its window")
def reopen(
    ticket_id: uuid.UUID,
    body: ReopenBody,
    actor: Actor = Depends(require_roles(*SERVICE_DESK_USERS)),
) -> dict:
    with tenant_session(actor) as db:
        ticket = desk.reopen(db, actor, ticket_id, body.reason)
    return {"ticketId": str(ticket.id), "status": ticket.status}
