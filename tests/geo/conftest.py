"""Where a pincode lies, as the tests check distances from it."""

from __future__ import annotations

from sqlalchemy import text

from services.db import system_session


def centroid(pincode: str) -> tuple[float, float]:
    with system_session() as db:
        return tuple(
            db.execute(
                text("SELECT latitude, longitude FROM indian_pincodes WHERE pincode = :p"),
                {"p": pincode},
            ).one()
        )
