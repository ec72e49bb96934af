"""The profile page: the signed-in person's own settings (their WhatsApp number)."""

from __future__ import annotations

import reflex as rx

from services.actor import Actor
from services.db import tenant_session
from services.identity.phones import get_phone, set_phone
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/profile"


class ProfileState(AuthState):
    phone: str = ""  # the saved number, E.164
    phone_draft: str = ""

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if actor is not None:
            with tenant_session(actor) as db:
                self.phone = get_phone(db, actor) or ""
            self.phone_draft = self.phone
        return redirect

    @rx.event
    def set_phone_draft(self, value: str):
        self.phone_draft = value[:30]

    @rx.event
    @guarded(ROUTE)
    def save_phone(self, actor: Actor, form: dict):
        """Saves (or, when emptied, removes) the caller's WhatsApp number."""
        raw = str(form.get("phone") or "")[:30]
        with tenant_session(actor) as db:
            saved = set_phone(db, actor, raw)
        self.phone = saved or ""
        self.phone_draft = self.phone
        return rx.toast.success(
            f"WhatsApp number saved: {saved}" if saved else "WhatsApp number removed"
        )
