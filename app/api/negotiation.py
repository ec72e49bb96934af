"""Negotiation rooms over REST, and `/ws/negotiation/{rfqId}` for external clients.

A buyer names the OEM whose thread it means (`oemId`); an OEM's thread is its own.

WebSocket frames are JSON of at most 4 KB each way. Server frames: `hello`, `message`
(any new message, counter-offer or coach tip the client may see), `read` (the other side
read the thread), `error`, `ping`, `resync` (messages may have been missed: re-read the
thread). Client frames: `{"type": "message", "body"}`,
`{"type": "counter", "offer", "body"}`, `{"type": "accept", "offerId"}` (the offer on the
table), `{"type": "read"}`, `{"type": "coach"}`.
Authenticate with `Authorization: Bearer <token>` or `?access_token=<token>`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.live import next_or_gone
from services.actor import Actor
from services.db import tenant_session
from services.errors import DomainError
from services.events.live import RESYNC, TooManyLive, hub
from services.identity.tokens import verify_access_token
from services.negotiation import coach
from services.negotiation.agreement import accept_offer, offer_on_table
from services.negotiation.service import (
    MAX_BODY,
    mark_read,
    message,
    open_room,
    post_counter,
    post_message,
    thread,
)

log = logging.getLogger("yantra.negotiation")
router = APIRouter(tags=["negotiation"])
live = APIRouter()
MAX_FRAME = 4096


class RoomBody(BaseModel):
    oemId: uuid.UUID | None = None  # noqa: N815 - the buyer names the OEM's thread


class MessageBody(RoomBody):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class AcceptBody(RoomBody):
    offerId: uuid.UUID  # noqa: N815 - the counter-offer's message id, or the quote's id


class CounterBody(RoomBody):
    offer: dict[str, Any]
    body: str = Field("", max_length=MAX_BODY)


@router.get(
    "/rfqs/{rfq_id}/negotiation",
    summary="The thread with one OEM: messages, counter-offers, your coach's tips, read receipts",
)
def read_thread(
    rfq_id: uuid.UUID,
    oemId: uuid.UUID | None = Query(None),  # noqa: N803
    after: int = Query(0, ge=0),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        room = open_room(db, actor, rfq_id, oemId)
        return {
            "rfqId": str(rfq_id),
            "oemId": str(room.oem_id),
            "side": room.side,
            "status": room.rfq.status,
            "onTable": offer_on_table(db, room),
            "messages": thread(db, room, after),
        }


@router.post(
    "/rfqs/{rfq_id}/negotiation/messages", status_code=201, summary="Write a message in the thread"
)
def write(rfq_id: uuid.UUID, body: MessageBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return post_message(db, actor, open_room(db, actor, rfq_id, body.oemId), body.body)


@router.post(
    "/rfqs/{rfq_id}/negotiation/counters",
    status_code=201,
    summary="Make a counter-offer: a unit price for every RFQ line, and terms",
)
def counter(rfq_id: uuid.UUID, body: CounterBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        room = open_room(db, actor, rfq_id, body.oemId)
        return post_counter(db, actor, room, body.offer, body.body)


@router.post(
    "/rfqs/{rfq_id}/negotiation/accept",
    status_code=201,
    summary="Accept the offer on the table (the other side's counter-offer, or the OEM's "
    "quote): it becomes the agreed quote revision, the one to award",
)
def accept(rfq_id: uuid.UUID, body: AcceptBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return accept_offer(db, actor, open_room(db, actor, rfq_id, body.oemId), body.offerId)


@router.post("/rfqs/{rfq_id}/negotiation/read", summary="Mark the other side's messages read")
def read(rfq_id: uuid.UUID, body: RoomBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return {"stamped": mark_read(db, open_room(db, actor, rfq_id, body.oemId))}


@router.post(
    "/rfqs/{rfq_id}/suggest-counter-offer",
    summary="suggestCounterOffer: the coach's tip on the offer on the table, posted "
    "into the room for your side only",
)
def suggest_counter_offer(
    rfq_id: uuid.UUID, body: RoomBody | None = None, actor: Actor = Depends(current_actor)
) -> dict:
    with tenant_session(actor) as db:
        room = open_room(db, actor, rfq_id, body.oemId if body else None)
        return coach.suggest(db, room)


def _fit(frame: dict) -> str:
    """A frame of at most 4 KB: long bodies and coach details are cut, never split."""
    text = json.dumps(frame, ensure_ascii=False)
    if len(text.encode()) <= MAX_FRAME:
        return text
    data = dict(frame.get("message") or {})
    if data.get("kind") == "coachTip" and isinstance(data.get("offer"), dict):
        tip = dict(data["offer"])
        tip.pop("lines", None)
        data["offer"] = tip
    frame = {**frame, "message": data}
    text = json.dumps(frame, ensure_ascii=False)
    while len(text.encode()) > MAX_FRAME and data.get("body"):
        data["body"] = data["body"][: len(data["body"]) // 2] + "…"
        text = json.dumps({**frame, "message": data}, ensure_ascii=False)
    return text


def _handle(actor: Actor, rfq_id: uuid.UUID, oem_id: uuid.UUID | None, raw: str) -> str | None:
    """One client frame; the answer frame for errors (new messages come back as NOTIFY)."""
    if len(raw.encode()) > MAX_FRAME:
        return json.dumps({"type": "error", "error": "frames are at most 4 KB"})
    try:
        frame = json.loads(raw)
        if not isinstance(frame, dict):
            raise ValueError
    except ValueError:
        return json.dumps({"type": "error", "error": "send a JSON object"})
    try:
        with tenant_session(actor) as db:
            room = open_room(db, actor, rfq_id, oem_id)
            kind = frame.get("type")
            if kind == "message":
                post_message(db, actor, room, str(frame.get("body", "")))
            elif kind == "counter":
                post_counter(db, actor, room, frame.get("offer"), str(frame.get("body", "")))
            elif kind == "accept":
                try:
                    offer_id = uuid.UUID(str(frame.get("offerId")))
                except ValueError:
                    return json.dumps(
                        {"type": "error", "error": "name the offer by its id", "field": "offerId"}
                    )
                accept_offer(db, actor, room, offer_id)
            elif kind == "read":
                mark_read(db, room)
            elif kind == "coach":
                coach.suggest(db, room)
            else:
                return json.dumps(
                    {
                        "type": "error",
                        "error": "type must be message, counter, accept, read or coach",
                    }
                )
    except DomainError as exc:
        return json.dumps(
            {"type": "error", "error": exc.message, "field": getattr(exc, "field", None)}
        )
    return None


def _message_frame(actor: Actor, message_id: str) -> str | None:
    with tenant_session(actor) as db:
        found = message(db, uuid.UUID(message_id))
    return _fit({"type": "message", "message": found}) if found else None


@live.websocket("/ws/negotiation/{rfq_id}")
async def negotiation_stream(
    websocket: WebSocket, rfq_id: uuid.UUID, oemId: uuid.UUID | None = None
):  # noqa: N803
    header = websocket.headers.get("authorization", "")
    token = (
        header[7:]
        if header.lower().startswith("bearer ")
        else websocket.query_params.get("access_token", "")
    )
    try:
        actor = verify_access_token(token)

        def enter():
            with tenant_session(actor) as db:
                return open_room(db, actor, rfq_id, oemId)

        room = await run_in_threadpool(enter)
    except DomainError as exc:
        await websocket.close(
            code=4403 if exc.code != "unauthorized" else 4401, reason=exc.message[:120]
        )
        return
    rfq, oem = str(rfq_id), str(room.oem_id)
    try:
        sub = await hub().subscribe(
            "negotiation_changed",
            lambda body: body.get("rfqId") == rfq and body.get("oemId") == oem,
            owner=str(actor.user_id),
        )
    except TooManyLive as exc:  # accepted first, so the client can read why
        await websocket.accept()
        await websocket.close(code=4429, reason=exc.message[:120])
        return
    async with sub:
        await websocket.accept()
        try:
            await websocket.send_text(
                json.dumps({"type": "hello", "rfqId": rfq, "oemId": oem, "side": room.side})
            )
            receiver = asyncio.create_task(_receive(websocket, actor, rfq_id, oemId))
            # Its end (the client leaving) is the answer; its exception needs no log.
            receiver.add_done_callback(lambda t: t.cancelled() or t.exception())
            try:
                await _forward(websocket, sub, actor, receiver)
            finally:
                receiver.cancel()
        except (WebSocketDisconnect, asyncio.CancelledError):
            return
        except RuntimeError as exc:  # the client went away mid-send
            log.info("negotiation stream closed: %s", exc)


async def _receive(
    websocket: WebSocket, actor: Actor, rfq_id: uuid.UUID, oem_id: uuid.UUID | None
) -> None:
    while True:
        raw = await websocket.receive_text()
        answer = await run_in_threadpool(_handle, actor, rfq_id, oem_id, raw)
        if answer:
            await websocket.send_text(answer)


async def _forward(websocket: WebSocket, sub, actor: Actor, receiver: asyncio.Task) -> None:
    while True:
        item = await next_or_gone(sub, receiver)
        if item is receiver:  # the client has gone
            return
        if item is None:
            await websocket.send_text('{"type":"ping"}')
        elif item is RESYNC:
            await websocket.send_text('{"type":"resync"}')
        elif item.get("kind") == "read":
            await websocket.send_text(json.dumps({"type": "read", "side": item["side"]}))
        else:  # read once per tenant, under RLS: None is a coach tip for the other side
            frame = await run_in_threadpool(
                item.once,
                ("message-frame", actor.tenant_id),
                partial(_message_frame, actor, item["id"]),
            )
            if frame:
                await websocket.send_text(frame)
