"""Facility routes (the geography issue grows them)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.api.contract import page_limit, page_offset
from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
from services.geo.facilities import list_facilities

router = APIRouter(tags=["geo"])


@router.get("/facilities", summary="Facilities the caller owns or that are shared with it")
def facilities(
    limit: int = page_limit(50, 200),
    offset: int = page_offset(),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        items = list_facilities(db, actor, limit=limit, offset=offset)
    return {"facilities": items, "limit": limit, "offset": offset}
