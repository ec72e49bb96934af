"""Catalog routes (the marketplace issue grows them)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from app.api.deps import current_actor
from services.actor import Actor
from services.catalog.service import list_skus
from services.db import tenant_session

router = APIRouter(tags=["catalog"])


@router.get("/skus", summary="SKUs the caller may see")
def skus(
    mine: bool = Query(False, description="only the caller's own SKUs (OEMs)"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        items = list_skus(db, own_only=mine, actor=actor, limit=limit, offset=offset)
    return {"skus": items, "limit": limit, "offset": offset}
