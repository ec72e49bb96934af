"""Sign-in, the session cookie and the page guard every page state builds on."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx

from app.navigation import BY_ROUTE, pages_for
from services.actor import ROLE_LABELS, Actor
from services.db import tenant_session
from services.errors import DomainError
from services.identity import service as identity
from services.tenancy.service import directory
from services.tickets import notifications

IST = ZoneInfo("Asia/Kolkata")


class AuthState(rx.State):
    session_id: str = rx.Cookie("", name="yantra_session", same_site="strict")
    user_name: str = ""
    org_name: str = ""
    role_label: str = ""
    nav: list[dict[str, str]] = []
    notices: list[dict[str, str]] = []
    unread: int = 0
    forbidden: bool = False
    login_error: str = ""
    signing_in: bool = False

    def _actor(self) -> Actor | None:
        """The signed-in actor, checked against the database on every call."""
        return identity.resolve_session(self.session_id) if self.session_id else None

    def _allowed(self, route: str) -> Actor | None:
        """The actor if they may use `route`; sets `forbidden` otherwise (403 view)."""
        actor = self._actor()
        page = BY_ROUTE[route]
        self.forbidden = actor is not None and not (page.roles & actor.roles)
        return actor if actor is not None and not self.forbidden else None

    def _fill_identity(self, actor: Actor) -> None:
        self.user_name = actor.label
        self.role_label = ", ".join(ROLE_LABELS[r] for r in sorted(actor.roles))
        with tenant_session(actor) as db:
            self.org_name = directory(db).get(actor.tenant_id, ("", ""))[0]
        self.nav = [{"route": p.route, "label": p.label, "icon": p.icon}
                    for p in pages_for(actor.roles)]
        self._load_notices(actor)

    def _load_notices(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            items, self.unread = notifications.inbox(db, actor)
        self.notices = [{"title": n["title"], "body": n["body"],
                         "href": f"/tickets/{n['ticketId']}" if n["ticketId"] else "",
                         "at": datetime.fromisoformat(n["at"]).astimezone(IST).strftime(
                             "%d %b %H:%M"), "unread": "yes" if n["unread"] else ""}
                        for n in items]

    @rx.event
    def read_notices(self):
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor) as db:
            notifications.mark_all_read(db, actor)
        self._load_notices(actor)

    def _enter(self, route: str):
        """Common on_load: redirect to sign-in when the session is gone."""
        actor = self._actor()
        if actor is None:
            self.session_id = ""
            return None, rx.redirect(f"/login?next={route}")
        self._fill_identity(actor)
        page = BY_ROUTE[route]
        self.forbidden = not (page.roles & actor.roles)
        return (None if self.forbidden else actor), None

    @rx.event
    def login(self, form: dict):
        self.login_error = ""
        try:
            actor = identity.authenticate(form.get("email", ""), form.get("password", ""))
        except DomainError as exc:
            self.login_error = exc.message
            return
        self.session_id = str(identity.start_session(actor))
        self._fill_identity(actor)
        nxt = self.router.url.query_parameters.get("next", "/")
        return rx.redirect(nxt if nxt in BY_ROUTE else "/")

    @rx.event
    def logout(self):
        actor = self._actor()
        if actor is not None:
            identity.end_session(actor, self.session_id)
        self.session_id = ""
        self.nav = []
        return rx.redirect("/login")

    @rx.event
    def login_page_load(self):
        if self._actor() is not None:
            return rx.redirect("/")
