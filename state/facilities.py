"""The facilities page: the organisation's own facilities and those shared with it."""

from __future__ import annotations

import reflex as rx

from services.db import tenant_session
from services.geo.facilities import list_facilities
from state.auth import AuthState


class FacilitiesState(AuthState):
    facilities: list[dict[str, str]] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter("/facilities")
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            rows = list_facilities(db, actor, limit=200)
        self.facilities = [
            {
                "code": r["code"],
                "name": r["name"],
                "type": r["facilityType"].replace("_", " "),
                "city": r["city"],
                "state": r["state"],
                "pincode": r["pincode"],
                "beds": str(r["bedCount"] or "—"),
                "specialties": ", ".join(r["specialties"]),
                "access": "Own" if r["owned"] else "Shared with you",
            }
            for r in rows
        ]
