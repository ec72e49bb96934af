"""WhatsApp routes: the Cloud API's webhook (no token: the handshake and the signature
authenticate Meta), and the service desk's threads."""

from __future__ import annotations

import logging
import uuid

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from app.api.deps import require_roles
from services.actor import Actor
from services.common.roles import DISPATCHERS
from services.common.tasks import send_task
from services.db import tenant_session
from services.errors import Invalid, Unauthorized
from services.whatsapp import desk, webhook

router = APIRouter(tags=["whatsapp"])
log = logging.getLogger("yantra.whatsapp")


@router.get(
    "/whatsapp/webhook",
    response_class=PlainTextResponse,
    summary="Verification handshake: echoes hub.challenge when hub.verify_token matches",
    responses={403: {"description": "Wrong mode or verify token"}},
)
def verify(
    mode: str | None = Query(None, alias="hub.mode", max_length=40),
    token: str | None = Query(None, alias="hub.verify_token", max_length=400),
    challenge: str | None = Query(None, alias="hub.challenge", max_length=400),
) -> PlainTextResponse:
    return PlainTextResponse(webhook.verify_handshake(mode, token, challenge))


@router.post(
    "/whatsapp/webhook",
    summary="Notifications of the Cloud API (messages, statuses), signed with the app secret",
    description="`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body>`. The body is "
    "stored and answered at once; a worker processes it. A malformed body with a good "
    "signature is kept, logged and answered 200.",
    responses={401: {"description": "Signature missing or wrong"}},
)
async def notify(request: Request) -> JSONResponse:
    raw = await request.body()
    if not webhook.signature_ok(raw, request.headers.get("x-hub-signature-256")):
        raise Unauthorized("X-Hub-Signature-256 is missing or does not match the body")
    inbound_id = await run_in_threadpool(webhook.store_inbound, raw)
    # Queued after the answer is sent: the body is already kept, and the sweep processes
    # whatever a lost queueing left behind.
    return JSONResponse({"received": True}, background=BackgroundTask(_queue, inbound_id))


def _queue(inbound_id: uuid.UUID) -> None:
    try:
        send_task(webhook.PROCESS_TASK, str(inbound_id))
    except Exception:  # the body is kept; the sweep processes it within a minute
        log.exception("whatsapp: could not queue body %s", inbound_id)


@router.get("/whatsapp/conversations", summary="WhatsApp threads with their tickets, latest first")
def conversations(
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    actor: Actor = Depends(require_roles(*DISPATCHERS)),
) -> dict:
    with tenant_session(actor) as db:
        return {"items": desk.list_conversations(db, actor, limit, offset)}


@router.get("/whatsapp/conversations/{conversation_id}/messages", summary="A thread's messages")
def messages(
    conversation_id: uuid.UUID, actor: Actor = Depends(require_roles(*DISPATCHERS))
) -> dict:
    with tenant_session(actor) as db:
        return {"items": desk.thread(db, actor, conversation_id)}


class Reply(BaseModel):
    text: str = Field(..., max_length=4096)


@router.post(
    "/whatsapp/conversations/{conversation_id}/reply",
    status_code=201,
    summary="Reply on WhatsApp as the service desk (takes the thread over)",
)
def reply(
    conversation_id: uuid.UUID,
    body: Reply = Body(...),
    actor: Actor = Depends(require_roles(*DISPATCHERS)),
) -> dict:
    if not body.text.strip():
        raise Invalid("text", "write a reply")
    with tenant_session(actor) as db:
        message_id = desk.reply(db, actor, conversation_id, body.text)
    return {"messageId": str(message_id)}
