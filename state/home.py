"""The home page: what waits for the signed-in person, and their organisation's figures,
each a link to the page that lists it. While the page is open, a notice for the person
(someone did something that waits for them) reads the lists again."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from services.actor import Actor
from services.common.money import group_indian
from services.db import tenant_session
from services.events.live import TooManyLive, hub
from services.notifications.service import notices_for
from services.overview.service import home_figures
from services.overview.waiting import Section, waiting_for
from state.auth import AuthState
from state.live import follow
from state.navigation import BY_ROUTE

ROUTE = "/"


@dataclass
class WaitingItem:
    title: str = ""
    detail: str = ""
    link: str = ""
    priority: str = ""


@dataclass
class WaitingList:
    key: str = ""
    label: str = ""
    total: int = 0
    more: str = ""  # "and 7 more" when the list shows only the first few
    empty: str = ""
    next_label: str = ""
    next_link: str = ""
    rows: list[WaitingItem] = field(default_factory=list)


def _may_open(actor: Actor, link: str) -> bool:
    """Is `link` a page the actor's roles open? (A figure's link is shown only then.)"""
    route = link.split("?")[0]
    page = BY_ROUTE.get(route)
    return page is not None and bool(page.roles & actor.roles)


def _view(section: Section, actor: Actor) -> WaitingList:
    shown = len(section.items)
    return WaitingList(
        key=section.key,
        label=section.label,
        total=section.total,
        more=f"and {section.total - shown} more" if section.total > shown else "",
        empty=section.empty,
        next_label=section.next_label if _may_open(actor, section.next_link) else "",
        next_link=section.next_link,
        rows=[WaitingItem(i.title, i.detail, i.link, i.priority) for i in section.items],
    )


class HomeState(AuthState):
    figures: list[dict[str, str]] = []
    waiting: list[WaitingList] = []
    waiting_count: int = 0
    _listening: bool = False

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect:
            return redirect
        if actor is None:
            return
        self._refresh(actor)

    def _still_here(self) -> bool:
        """Is this tab still on the home page, with a session?"""
        return self.router.page.path == ROUTE and self._allowed(ROUTE) is not None

    @rx.event(background=True)
    async def listen(self):
        """While the tab is on the home page, read again what waits whenever a notice for
        this person arrives (someone somewhere did something that waits for them)."""
        async with self:
            actor = self._allowed(ROUTE)  # the session first: nothing runs for a stranger
            if self._listening or actor is None or actor.user_id is None:
                return
            self._listening = True
        try:
            sub = await hub().subscribe(
                "notification_changed", notices_for(actor), owner=str(actor.user_id)
            )
        except TooManyLive:  # the lists still load with the page; they just wait for a reload
            async with self:
                self._listening = False
            return
        try:
            async with sub:
                async with self:
                    self._refresh(actor)  # what arrived between the page load and now
                await follow(self, sub, self._on_change)
        finally:
            async with self:
                self._listening = False

    async def _on_change(self, notices: list) -> bool:
        async with self:
            actor = self._allowed(ROUTE) if self.router.page.path == ROUTE else None
            if actor is None:
                return False
            self._refresh(actor)
        return True

    def _refresh(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            sections = waiting_for(db, actor)
            figures = home_figures(db, actor)
        self.waiting = [_view(s, actor) for s in sections]
        self.waiting_count = sum(s.total for s in sections)
        self.figures = [
            {
                "label": f.label,
                "value": group_indian(f.value),
                "hint": f.hint,
                "href": f.href if f.href and _may_open(actor, f.href) else "",
            }
            for f in figures
        ]
