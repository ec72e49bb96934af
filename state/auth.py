"""Sign-in, the session cookie and the page guard every page state builds on.

The session id lives in an HttpOnly cookie that only the server sets (app/api/sessions.py):
page scripts cannot read it, and the state reads it from the headers of the websocket the
page opened. Signing in and out are therefore full page loads, so the websocket reconnects
with the new cookie."""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from services.actor import ROLE_LABELS, Actor
from services.common.clock import IST
from services.db import tenant_session
from services.identity import service as identity
from services.notifications import service as notifications
from services.tenancy.service import directory
from state.navigation import BY_ROUTE, pages_for

SESSION_COOKIE = "yantra_session"

# The form goes to the API, which sets the cookie; the password never reaches the state.
SIGN_IN_SCRIPT = """(async () => {
  const form = document.getElementById('login-form');
  const body = new URLSearchParams(new FormData(form));
  body.set('next', new URLSearchParams(window.location.search).get('next') || '/');
  try {
    const answer = await fetch('/api/v1/auth/session', {method: 'POST', body: body,
      credentials: 'same-origin', headers: {'Accept': 'application/json'}});
    const data = await answer.json().catch(() => ({}));
    if (answer.ok) { window.location.assign(data.next || '/'); return ''; }
    return (data.error && data.error.message) || 'Sign-in failed; try again.';
  } catch (e) {
    return 'Yantra could not be reached; check the connection and try again.';
  }
})()"""
SIGN_OUT_SCRIPT = """fetch('/api/v1/auth/session', {method: 'DELETE', credentials: 'same-origin'})
  .finally(() => window.location.replace('/login'))"""


def session_cookie(cookie_header: str) -> str:
    """The session id in a Cookie header, or ""."""
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value.strip().strip('"')
    return ""


class AuthState(rx.State):
    user_name: str = ""
    org_name: str = ""
    role_label: str = ""
    nav: list[dict[str, str]] = []
    notices: list[dict[str, str]] = []
    unread: int = 0
    forbidden: bool = False
    login_error: str = ""
    signing_in: bool = False

    def _session_id(self) -> str:
        return session_cookie(self.router.headers.cookie)

    def _actor(self) -> Actor | None:
        """The signed-in actor, checked against the database on every call."""
        session_id = self._session_id()
        return identity.resolve_session(session_id) if session_id else None

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
        self.nav = [
            {"route": p.route, "label": p.label, "icon": p.icon} for p in pages_for(actor.roles)
        ]
        self._load_notices(actor)

    def _load_notices(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            items, self.unread = notifications.inbox(db, actor)
        self.notices = [
            {
                "title": n["title"],
                "body": n["body"],
                "id": n["id"],
                "href": n["link"],
                "at": datetime.fromisoformat(n["at"]).astimezone(IST).strftime("%d %b %H:%M"),
                "unread": "yes" if n["unread"] else "",
            }
            for n in items
        ]

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
            return None, rx.redirect(f"/login?next={route}")
        self._fill_identity(actor)
        page = BY_ROUTE[route]
        self.forbidden = not (page.roles & actor.roles)
        return (None if self.forbidden else actor), None

    @rx.event
    def show_login_error(self, message: str):
        """What the sign-in request answered: "" when it worked, else why not (this tab's
        own text, shown as text)."""
        self.login_error = str(message or "")[:300]

    @rx.event
    def logout(self):
        actor, session_id = self._actor(), self._session_id()
        if actor is not None:
            identity.end_session(actor, session_id)
        self.nav, self.user_name, self.org_name, self.role_label = [], "", "", ""
        return rx.call_script(SIGN_OUT_SCRIPT)

    @rx.event
    def login_page_load(self):
        if self._actor() is not None:
            return rx.redirect("/")
