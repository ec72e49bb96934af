"""`/ws/tickets/{tenantId}`: ticket changes pushed to external clients as JSON frames.

Authenticate with `Authorization: Bearer <token>` or `?access_token=<token>` (browsers
cannot set headers on WebSockets). A client only hears of tickets its tenant may see.
Server frames: `hello`, `ticket`, `ping` (15 quiet seconds), `resync` (changes may have
been missed: re-read the tickets you show). A user holds at most 20 live connections;
one more is closed with code 4429.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from functools import partial

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from services.db import tenant_session
from services.errors import DomainError
from services.events.live import RESYNC, TooManyLive, hub
from services.identity.tokens import verify_access_token
from services.tickets.board import ticket_frame

log = logging.getLogger("yantra.live")
router = APIRouter()
MAX_FRAME = 4096


def _frame(actor, ticket_id: str) -> str | None:
    with tenant_session(actor) as db:
        data = ticket_frame(db, uuid.UUID(ticket_id))
    if data is None:
        return None
    text = json.dumps(data, ensure_ascii=False)
    while len(text.encode()) > MAX_FRAME and data.get("description"):
        data["description"] = data["description"][: len(data["description"]) // 2] + "…"
        text = json.dumps(data, ensure_ascii=False)
    return text


@router.websocket("/ws/tickets/{tenant_id}")
async def ticket_stream(websocket: WebSocket, tenant_id: str):
    header = websocket.headers.get("authorization", "")
    token = (
        header[7:]
        if header.lower().startswith("bearer ")
        else websocket.query_params.get("access_token", "")
    )
    try:
        actor = verify_access_token(token)
    except DomainError:
        await websocket.close(code=4401, reason="sign in: bearer token missing or invalid")
        return
    if tenant_id != str(actor.tenant_id):
        await websocket.close(code=4403, reason="you may only follow your own organisation")
        return
    mine = {str(actor.tenant_id)}
    try:
        sub = await hub().subscribe(
            "ticket_changed",
            lambda body: bool(mine & {body.get("tenantId"), body.get("partnerId")}),
            owner=str(actor.user_id),
        )
    except TooManyLive as exc:  # accepted first, so the client can read why
        await websocket.accept()
        await websocket.close(code=4429, reason=exc.message[:120])
        return
    async with sub:
        await websocket.accept()
        try:
            await websocket.send_text(json.dumps({"type": "hello", "tenantId": tenant_id}))
            await _forward(websocket, sub, actor)
        except (WebSocketDisconnect, asyncio.CancelledError):
            return
        except RuntimeError as exc:  # the client went away mid-send
            log.info("ticket stream closed: %s", exc)


async def _forward(websocket: WebSocket, sub, actor) -> None:
    """Frames for the notices this client may see; a ping after 15 quiet seconds, and
    `resync` when notices may have been missed (the client re-reads what it shows)."""
    gone = asyncio.create_task(_until_closed(websocket))
    try:
        while True:
            item = await next_or_gone(sub, gone)
            if item is gone:
                return
            if item is None:
                await websocket.send_text('{"type":"ping"}')
            elif item is RESYNC:
                await websocket.send_text('{"type":"resync"}')
            else:
                key = ("ticket-frame", actor.tenant_id)  # read once per tenant, under RLS
                frame = await run_in_threadpool(item.once, key, partial(_frame, actor, item["id"]))
                if frame:
                    await websocket.send_text(frame)
    finally:
        gone.cancel()


async def next_or_gone(sub, gone: asyncio.Task, timeout: float = 15):
    """The subscription's next item (None after `timeout` quiet seconds), or `gone` itself
    once that task ends (the client left)."""
    getter = asyncio.ensure_future(sub.get(timeout=timeout))
    await asyncio.wait({getter, gone}, return_when=asyncio.FIRST_COMPLETED)
    if getter.done():
        return getter.result()
    getter.cancel()
    return gone


async def _until_closed(websocket: WebSocket) -> None:
    """Read (and ignore) client frames until the client goes: so a closed socket ends the
    subscription at once, not at the next notice."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
