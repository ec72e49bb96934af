"""The home page: the figures of the signed-in organisation."""

from __future__ import annotations

import reflex as rx

from services.db import tenant_session
from services.overview.service import home_figures
from state.auth import AuthState


class HomeState(AuthState):
    figures: list[dict[str, str]] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter("/")
        if redirect:
            return redirect
        if actor is None:
            return
        with tenant_session(actor) as db:
            self.figures = [
                {"label": f.label, "value": f"{f.value:,}", "hint": f.hint}
                for f in home_figures(db, actor)
            ]
