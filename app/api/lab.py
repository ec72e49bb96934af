"""The lab's interface engine: analyzer channels and the message store."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field

from app.api.deps import require_roles
from services.actor import Actor
from services.common.roles import LAB_ADMINS, LAB_READERS
from services.db import tenant_session
from services.errors import Invalid
from services.lab.channels import (
    ChannelIn,
    ChannelPatch,
    adopt_sender,
    channel_json,
    get_channel,
    list_channels,
    set_up_channel,
    unknown_senders,
    update_channel,
)
from services.lab.messages import get_message, reprocess, search_messages
from services.lab.watch import laboratory_hours, set_laboratory_hours, watches

router = APIRouter(tags=["lab"])


@router.post("/lab/channels", status_code=201, summary="Set up an analyzer channel")
def create(body: ChannelIn, actor: Actor = Depends(require_roles(*LAB_ADMINS))) -> dict:
    return set_up_channel(actor, body)


@router.get("/lab/channels", summary="The lab's analyzer channels with their test codes")
def channels(actor: Actor = Depends(require_roles(*LAB_READERS))) -> dict:
    with tenant_session(actor) as db:
        return {"channels": list_channels(db)}


@router.get(
    "/lab/channels/unknown-senders",
    summary="Senders no channel knows yet, with their waiting messages (headers only)",
)
@router.get(
    "/lab/unknown-senders",
    summary="Senders no channel knows yet, with their waiting messages (headers only)",
)
def senders(actor: Actor = Depends(require_roles(*LAB_ADMINS))) -> dict:
    return {"senders": unknown_senders(actor)}


@router.get("/lab/channels/{channel_id}", summary="One channel with its test codes")
def channel(channel_id: uuid.UUID, actor: Actor = Depends(require_roles(*LAB_READERS))) -> dict:
    with tenant_session(actor) as db:
        return channel_json(db, get_channel(db, channel_id))


@router.patch(
    "/lab/channels/{channel_id}",
    summary="Change a channel's settings; add, change or remove (remove: true) test codes",
)
def patch_channel(
    channel_id: uuid.UUID,
    body: ChannelPatch,
    actor: Actor = Depends(require_roles(*LAB_ADMINS)),
) -> dict:
    with tenant_session(actor) as db:
        return channel_json(db, update_channel(db, actor, channel_id, body))


def _moment(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(name, "must be an ISO 8601 time, e.g. 2026-12-01T10:00:00+05:30") from exc
    if moment.tzinfo is None:
        raise Invalid(name, "must carry a time zone, e.g. 2026-12-01T10:00:00+05:30")
    return moment


def _uuid(raw: str | None, name: str) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise Invalid(name, "must be a channel id (UUID)") from exc


@router.get("/lab/messages", summary="Search the message store, newest first")
def messages(
    controlId: str | None = Query(None, max_length=199, description="MSH-10, exact"),
    channel: str | None = Query(None, description="channel id"),
    state: str | None = Query(None, description="received, processed or error"),
    from_: str | None = Query(None, alias="from", description="received at or after (ISO 8601)"),
    to: str | None = Query(None, description="received before (ISO 8601)"),
    limit: int = Query(50),
    offset: int = Query(0),
    actor: Actor = Depends(require_roles(*LAB_READERS)),
) -> dict:
    with tenant_session(actor) as db:
        return search_messages(
            db,
            control_id=controlId,
            channel_id=_uuid(channel, "channel"),
            state=state,
            since=_moment(from_, "from"),
            until=_moment(to, "to"),
            limit=limit,
            offset=offset,
        )


class ReprocessBody(BaseModel):
    ids: list[uuid.UUID] = Field(..., description="message ids")


@router.post("/lab/messages/reprocess", summary="Process messages again after a fix")
def reprocess_messages(
    body: ReprocessBody, actor: Actor = Depends(require_roles(*LAB_ADMINS))
) -> dict:
    with tenant_session(actor) as db:
        return reprocess(db, actor, body.ids)


@router.get("/lab/messages/{message_id}", summary="One message, segments and fields named")
def message(message_id: uuid.UUID, actor: Actor = Depends(require_roles(*LAB_READERS))) -> dict:
    with tenant_session(actor) as db:
        return get_message(db, message_id)


@router.post(
    "/lab/unknown-senders/channel",
    status_code=201,
    summary="Set up the channel of a sender that wrote while unknown and reprocess its messages",
)
def adopt(body: ChannelIn, actor: Actor = Depends(require_roles(*LAB_ADMINS))) -> dict:
    return adopt_sender(actor, body)


@router.get("/lab/watches", summary="How each analyzer is watched: hours, silence, faults")
def watch_list(actor: Actor = Depends(require_roles(*LAB_READERS))) -> dict:
    with tenant_session(actor) as db:
        return {"watches": watches(db)}


@router.get("/lab/laboratories/hours", summary="The working hours of each laboratory")
def hours(actor: Actor = Depends(require_roles(*LAB_READERS))) -> dict:
    with tenant_session(actor) as db:
        return {"laboratories": laboratory_hours(db)}


@router.put(
    "/lab/laboratories/{laboratory_id}/hours",
    summary="Set when a laboratory works; its analyzers without hours of their own follow",
)
def put_hours(
    laboratory_id: uuid.UUID,
    body: dict = Body(
        ..., examples=[{"opens": "07:00", "closes": "22:00", "workdays": [0, 1, 2, 3, 4, 5, 6]}]
    ),
    actor: Actor = Depends(require_roles(*LAB_ADMINS)),
) -> dict:
    with tenant_session(actor) as db:
        return set_laboratory_hours(db, actor, laboratory_id, body)
