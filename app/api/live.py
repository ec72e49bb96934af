"""`/ws/tickets/{tenantId}`: ticket changes pushed to external clients as JSON frames.

Authenticate with `Authorization: Bearer <token>` or `?access_token=<token>` (browsers
cannot set headers on WebSockets). A client only hears of tickets its tenant may see.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import psycopg
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from services.db import app_url, tenant_session
from services.errors import DomainError
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
    token = header[7:] if header.lower().startswith("bearer ") else \
        websocket.query_params.get("access_token", "")
    try:
        actor = verify_access_token(token)
    except DomainError:
        await websocket.close(code=4401, reason="sign in: bearer token missing or invalid")
        return
    if tenant_id != str(actor.tenant_id):
        await websocket.close(code=4403, reason="you may only follow your own organisation")
        return
    await websocket.accept()
    mine = {str(actor.tenant_id)}
    url = app_url().replace("postgresql+psycopg://", "postgresql://")
    try:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            await conn.execute("LISTEN ticket_changed")
            await websocket.send_text(json.dumps({"type": "hello", "tenantId": tenant_id}))
            while True:
                async for note in conn.notifies(timeout=15):
                    body = json.loads(note.payload)
                    if mine & {body.get("tenantId"), body.get("partnerId")}:
                        frame = await run_in_threadpool(_frame, actor, body["id"])
                        if frame:
                            await websocket.send_text(frame)
                await websocket.send_text('{"type":"ping"}')
    except (WebSocketDisconnect, asyncio.CancelledError):
        return
    except RuntimeError as exc:  # the client went away mid-send
        log.info("ticket stream closed: %s", exc)
