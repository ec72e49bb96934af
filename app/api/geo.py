"""Indian geography routes."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
from services.geo.pincodes import get_pincode

router = APIRouter(prefix="/geo", tags=["geo"])


@router.get("/pincodes/{pincode}", summary="Location of a pincode")
def pincode(pincode: str, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        row = get_pincode(db, pincode)
        return {"pincode": row.pincode, "city": row.city, "state": row.state,
                "district": row.district, "latitude": row.latitude, "longitude": row.longitude}
