"""The home page: what waits for the signed-in person, and their organisation's figures,
each a link to the page that lists it."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from services.actor import Actor
from services.common.money import group_indian
from services.db import tenant_session
from services.overview.service import home_figures
from services.overview.waiting import Section, waiting_for
from state.auth import AuthState
from state.navigation import APPS, BY_ROUTE

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
    if route in APPS:
        return bool(APPS[route] & actor.roles)
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

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect:
            return redirect
        if actor is None:
            return
        self._refresh(actor)

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
