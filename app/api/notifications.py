"""The signed-in person's notifications: list them (paged, unread only if asked), mark one
or all as read. Every account has its own; nobody reads another's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from app.api.contract import page_limit, page_offset
from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
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
