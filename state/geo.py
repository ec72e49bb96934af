"""The pincode lookup: where a six-digit pincode is (city, district, state, coordinates)."""

from __future__ import annotations

import reflex as rx

from services.actor import Actor
from services.db import tenant_session
from services.errors import DomainError
from services.geo.pincodes import get_pincode
from state.auth import AuthState
from state.guard import guarded


class PincodeState(AuthState):
    query: str = ""
    result: dict[str, str] = {}
    error: str = ""

    @rx.event
    def load(self):
        _actor, redirect = self._enter("/pincodes")
        return redirect

    @rx.event
    def set_query(self, value: str):
        self.query = value.strip()[:6]

    @rx.event
    @guarded("/pincodes")
    def lookup(self, actor: Actor, form: dict):
        self.result, self.error = {}, ""
        try:
            with tenant_session(actor) as db:
                row = get_pincode(db, (form.get("pincode") or "").strip())
                self.result = {
                    "pincode": row.pincode,
                    "city": row.city,
                    "district": row.district,
                    "state": row.state,
                    "lat": f"{row.latitude:.5f}",
                    "lng": f"{row.longitude:.5f}",
                }
        except DomainError as exc:
            self.error = exc.message
