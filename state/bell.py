"""The bell on every page: it follows the person's own notices through the process's one
listener (services.events.live), so its unread count changes as notices arrive, and it
marks a notice read when it is opened.

The bell is on every page, so its handlers check the session themselves instead of a
page's roles: the notices are the caller's own, and the service finds no other."""

from __future__ import annotations

import uuid

import reflex as rx

from services.db import tenant_session
from services.errors import DomainError
from services.events.live import TooManyLive, hub
from services.notifications import service as notifications
from state.auth import AuthState
from state.live import follow


class BellState(AuthState):
    bell_live: bool = False
    _listening: bool = False

    def _still_here(self) -> bool:
        """Is the tab's session still signed in? (The bell follows it on every page.)"""
        return self._actor() is not None

    @rx.event(background=True)
    async def listen(self):
        """Follow this person's notices for as long as the tab is open and signed in."""
        async with self:
            actor = self._actor()  # the session first: nothing runs for a stranger
            if self._listening or actor is None or actor.user_id is None:
                return
            self._listening = True
        try:
            # The bells count against a budget of their own, so a dispatcher's many
            # console tabs are never refused their live board because of the bells.
            sub = await hub().subscribe(
                "notification_changed",
                notifications.notices_for(actor),
                owner=f"{actor.user_id}/bell",
            )
        except TooManyLive:  # the page's own live view matters more than the bell
            async with self:
                self._listening = False
            return
        try:
            async with sub:
                async with self:
                    self._load_notices(actor)  # notices between the page load and now
                    self.bell_live = True
                await follow(self, sub, self._on_change)
        finally:
            async with self:
                self.bell_live, self._listening = False, False

    async def _on_change(self, notices: list) -> bool:
        async with self:
            actor = self._actor()
            if actor is None:
                return False
            self._load_notices(actor)
        return True

    @rx.event
    def open_notice(self, notice_id: str):
        """The person opened one of their notices (its link takes them to the thing)."""
        actor = self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            with tenant_session(actor) as db:
                notifications.mark_read(db, actor, uuid.UUID(str(notice_id)))
        except ValueError:
            return rx.toast.error("That is not a notification")
        except DomainError as exc:
            return rx.toast.error(exc.message)
        self._load_notices(actor)
