"""The signed-in person's notifications: list them (paged, unread only if asked), mark one
or all as read. Every account has its own; nobody reads another's. Each person chooses the
channels and language of their notices; admins and the service desk read the log of every
notice their organisation sent on WhatsApp or e-mail."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Body, Depends, Query

from app.api.contract import page_limit, page_offset
from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
from services.notifications.log import MAX_PAGE, message_log
from services.notifications.preferences import preferences_view, save_preferences
from services.notifications.service import MAX_PAGE_SIZE, inbox_page, mark_all_read, mark_read

router = APIRouter(tags=["notifications"])


@router.get("/me/notifications", summary="Your notifications, newest first, paged")
def my_notifications(
    limit: int = page_limit(20, MAX_PAGE_SIZE),
    offset: int = page_offset(),
    unread: bool = Query(False, description="only the ones not read yet"),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return inbox_page(db, actor, limit, offset, unread)


@router.post("/me/notifications/read-all", summary="Mark all your notifications as read")
def read_all(actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return {"marked": mark_all_read(db, actor)}


@router.post("/me/notifications/{notification_id}/read", summary="Mark one notification read")
def read_one(notification_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return mark_read(db, actor, notification_id)


@router.get(
    "/me/notification-preferences",
    summary="Your notices' language and, per kind of notice, the channels they reach you on",
)
def my_preferences(actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return preferences_view(db, actor)


@router.put(
    "/me/notification-preferences",
    summary="Choose your notices' language (en, hi, ta, mr) and channels per kind",
)
def put_preferences(
    body: dict[str, Any] = Body(
        ...,
        examples=[{"language": "hi", "channels": {"ticket_assigned": ["in_app", "whatsapp"]}}],
    ),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return save_preferences(db, actor, body)


@router.get(
    "/notifications/log",
    summary="Every notice your organisation sent on WhatsApp or e-mail, with its status",
)
def notifications_log(
    limit: int = page_limit(50, MAX_PAGE),
    offset: int = page_offset(),
    status: str | None = Query(None, description="queued, sent, delivered, read or failed"),
    channel: str | None = Query(None, description="whatsapp or email"),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return message_log(db, actor, limit, offset, status, channel)
