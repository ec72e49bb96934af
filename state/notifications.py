"""Notices beyond the bell: the message log of every WhatsApp and e-mail notice an
organisation sent (/messages), and each person's choice of channels and language for
their own notices (/profile/notifications)."""

from __future__ import annotations

import reflex as rx

from services.actor import Actor
from services.common.roles import MESSAGE_LOG_READERS
from services.db import tenant_session
from services.notifications.log import message_log
from services.notifications.preferences import preferences_view, save_preferences
from state.auth import AuthState
from state.guard import guarded

LOG_ROUTE = "/messages"
PREFS_ROUTE = "/profile/notifications"
LOG_PAGE = 25
CHANNEL_NAMES = {"whatsapp": "WhatsApp", "email": "E-mail", "sms": "SMS"}
STATUS_COLOURS = {"queued": "amber", "sent": "blue", "delivered": "green", "read": "green"}


class MessagesState(AuthState):
    messages: list[dict[str, str]] = []
    total: int = 0
    offset: int = 0
    f_status: str = "all"
    f_channel: str = "all"

    @rx.var
    def showing(self) -> str:
        if not self.total:
            return "No messages match"
        last = min(self.offset + LOG_PAGE, self.total)
        return f"Messages {self.offset + 1:,}–{last:,} of {self.total:,}"

    @rx.var
    def has_next(self) -> bool:
        return self.offset + LOG_PAGE < self.total

    @rx.event
    def load(self):
        actor, redirect = self._enter(LOG_ROUTE)
        if redirect or actor is None:
            return redirect
        self.offset = 0
        self._fill(actor)

    def _fill(self, actor: Actor) -> None:
        status = None if self.f_status == "all" else self.f_status
        channel = None if self.f_channel == "all" else self.f_channel
        with tenant_session(actor) as db:
            page = message_log(db, actor, LOG_PAGE, self.offset, status, channel)
        self.total = page["total"]
        self.messages = [
            {
                "id": m["id"],
                "at": m["atText"],
                "to": f"{m['toName']} · {m['to']}" if m["toName"] else m["to"],
                "channel": CHANNEL_NAMES.get(m["channel"], m["channel"]),
                "language": m["language"],
                "what": m["subject"] or m["template"],
                "template": m["template"],
                "status": m["status"],
                "colour": STATUS_COLOURS.get(m["status"], "red"),
                "attempts": str(m["attempts"]),
                "error": m["lastError"],
            }
            for m in page["items"]
        ]

    @rx.event
    @guarded(LOG_ROUTE, MESSAGE_LOG_READERS)
    def filter_by(self, actor: Actor, status: str, channel: str):
        self.f_status = (
            status if status in ("all", "queued", "sent", "delivered", "read", "failed") else "all"
        )
        self.f_channel = channel if channel in ("all", "whatsapp", "email", "sms") else "all"
        self.offset = 0
        self._fill(actor)

    @rx.event
    @guarded(LOG_ROUTE, MESSAGE_LOG_READERS)
    def page(self, actor: Actor, step: int):
        self.offset = max(0, self.offset + (LOG_PAGE if int(step) > 0 else -LOG_PAGE))
        self._fill(actor)


class PreferencesState(AuthState):
    language: str = "en"
    languages: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    phone: str = ""
    email: str = ""
    saved: str = ""

    @rx.event
    def load(self):
        actor, redirect = self._enter(PREFS_ROUTE)
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            view = preferences_view(db, actor)
        self._show(view)
        self.saved = ""

    def _show(self, view: dict) -> None:
        self.language = view["language"]
        self.languages = view["languages"]
        self.phone, self.email = view["whatsappNumber"], view["email"]
        self.rows = [
            {
                "kind": k["kind"],
                "label": k["label"],
                **{
                    c: "yes" if c in view["channels"][k["kind"]] else ""
                    for c in ("in_app", "whatsapp", "email")
                },
            }
            for k in view["kinds"]
        ]

    @rx.event
    def set_language(self, code: str):
        """This tab's own choice until saved."""
        self.language = str(code)[:5]
        self.saved = ""

    @rx.event
    def toggle(self, kind: str, channel: str, on: bool):
        """This tab's own tick box until saved."""
        if channel not in ("in_app", "whatsapp", "email"):
            return
        self.rows = [
            {**row, channel: "yes" if on else ""} if row["kind"] == kind else row
            for row in self.rows
        ]
        self.saved = ""

    @rx.event
    @guarded(PREFS_ROUTE)
    def save(self, actor: Actor):
        channels = {
            row["kind"]: [c for c in ("in_app", "whatsapp", "email") if row[c]] for row in self.rows
        }
        with tenant_session(actor) as db:
            view = save_preferences(db, actor, {"language": self.language, "channels": channels})
        self._show(view)
        self.saved = "Saved: your next notices follow these choices."
        return rx.toast.success("Notification preferences saved")
