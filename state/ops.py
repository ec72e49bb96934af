"""The dispatcher's live board: it refreshes on every ticket change in any process, heard
through the process's one listener (services.events.live); its SLA clocks count down in
the browser from each ticket's deadline (assets/sla_clock.js)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import plotly.graph_objects as go
import reflex as rx

from services.actor import Actor
from services.common.money import format_inr
from services.db import tenant_session
from services.dispatch.field import field_view
from services.events.live import TooManyLive, hub
from services.maps import field_map
from services.tickets.board import board_choices, list_tickets
from services.tickets.kpis import console_kpis
from services.tickets.machine import STATUSES
from state.auth import AuthState
from state.field_desk import FieldDeskState
from state.guard import guarded
from state.live import follow

STATUS_CHOICES = list(STATUSES)  # the board's status filter
PRIORITY_COLOURS = {"P1": "#dc2626", "P2": "#ea580c", "P3": "#2563eb", "P4": "#6b7280"}
ROUTE = "/ops"
_LAYOUT = dict(
    template="none",
    height=230,
    autosize=True,
    margin=dict(l=36, r=12, t=36, b=30),
    paper_bgcolor="white",
    plot_bgcolor="white",
    font=dict(size=12),
    xaxis=dict(gridcolor="#eee"),
    yaxis=dict(gridcolor="#eee", rangemode="tozero"),
)


class OpsState(AuthState):
    rows: list[dict[str, str]] = []
    priority: str = "all"
    status: str = "all"
    city: str = "all"
    partner: str = "all"
    cities: list[str] = []
    partners: list[str] = []
    breached_open: int = 0
    open_by_priority: go.Figure = go.Figure()
    mttr: go.Figure = go.Figure()
    compliance: str = "—"
    breaches_today: int = 0
    penalties_month: str = "₹0.00"
    live: bool = False
    last_change: str = ""
    _listening: bool = False
    _kpis: object = None
    show: str = "board"  # or "map"
    field_html: str = ""
    _field_at: float = 0.0

    def _refresh(self, actor: Actor) -> None:
        self._refresh_rows(actor)
        self._refresh_kpis(actor)

    def _refresh_rows(self, actor: Actor) -> None:
        """The board and the filter choices: what must reach the screen first."""

        def pick(value: str) -> str | None:
            return None if value == "all" else value

        with tenant_session(actor) as db:
            tickets = list_tickets(
                db,
                status=pick(self.status),
                priority=pick(self.priority),
                city=pick(self.city),
                partner=pick(self.partner),
                limit=500,
            )
            choices = board_choices(db)
        self.cities, self.partners = choices["cities"], choices["partners"]
        self.breached_open = choices["breachedOpen"]
        self.rows = [
            {
                **{k: str(v) for k, v in t.items()},
                "due": t["nextDueAt"] or "",
                "breached": "yes" if t["breached"] else "",
            }
            for t in tickets
        ]

    def _refresh_kpis(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            kpis = console_kpis(db)
        if kpis != self._kpis:  # charts re-render only when their numbers change
            self._kpis = kpis
            self._figures(kpis)

    def _figures(self, kpis) -> None:
        counts = kpis.open_by_priority
        bars = go.Figure(
            go.Bar(
                x=list(counts),
                y=list(counts.values()),
                marker_color=[PRIORITY_COLOURS[p] for p in counts],
            )
        )
        bars.update_layout(**_LAYOUT, title="Open tickets by priority")
        line = go.Figure(
            go.Scatter(
                x=[d for d, _ in kpis.mttr_hours_by_day],
                y=[h for _, h in kpis.mttr_hours_by_day],
                mode="lines+markers",
                line_color="#0f766e",
            )
        )
        line.update_layout(**_LAYOUT, title="Mean time to resolve (hours)")
        if not kpis.mttr_hours_by_day:
            line.add_annotation(
                text="No ticket resolved in the last 14 days",
                showarrow=False,
                xref="paper",
                yref="paper",
                x=0.5,
                y=0.5,
            )
            line.update_xaxes(visible=False)
            line.update_yaxes(visible=False)
        self.open_by_priority, self.mttr = bars, line
        self.compliance = "—" if kpis.compliance_pct is None else f"{kpis.compliance_pct:.1f}%"
        self.breaches_today = kpis.breaches_today
        self.penalties_month = format_inr(kpis.penalties_month_paise)

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self._refresh(actor)
        return OpsState.listen

    def _refresh_field(self, actor: Actor) -> None:
        """The field map (rendered only while shown, at most every 10 s on changes)."""
        with tenant_session(actor) as db:
            view = field_view(db, actor.tenant_id)
        self.field_html = field_map(view)
        self._field_at = time.monotonic()

    @rx.event
    @guarded(ROUTE)
    def set_show(self, actor: Actor, value: str | list[str]):
        self.show = value if isinstance(value, str) else value[0]
        if self.show == "map":
            self._refresh_field(actor)

    @rx.event
    @guarded(ROUTE)
    def set_priority(self, actor: Actor, value: str):
        self.priority = value
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def set_status(self, actor: Actor, value: str):
        self.status = value
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def set_city(self, actor: Actor, value: str):
        self.city = value
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def set_partner(self, actor: Actor, value: str):
        self.partner = value
        self._refresh(actor)

    def _still_here(self) -> bool:
        """Is this tab still on the console, with a session that may use it?"""
        return self.router.page.path == ROUTE and self._allowed(ROUTE) is not None

    @rx.event(background=True)
    async def listen(self):
        """Follow ticket changes this organisation may see while the tab is on the page."""
        async with self:
            actor = self._allowed(ROUTE)  # the session first: nothing runs for a stranger
            if self._listening or actor is None:
                return
            self._listening = True
        mine = {str(actor.tenant_id)}
        try:
            sub = await hub().subscribe(
                "ticket_changed",
                lambda body: bool(mine & {body.get("tenantId"), body.get("partnerId")}),
                owner=str(actor.user_id),
            )
        except TooManyLive as exc:
            async with self:
                self._listening = False
            yield rx.toast.error(exc.message)
            return
        try:
            async with sub:
                async with self:
                    self._refresh(actor)  # changes between the first load and subscribing
                    self.live = True
                await follow(self, sub, self._on_change)
        finally:
            async with self:
                self.live, self._listening = False, False

    async def _on_change(self, notices: list) -> bool:
        """Rows first, then the field map and the KPIs: what must reach the screen first."""
        async with self:
            actor = self._allowed(ROUTE) if self.router.page.path == ROUTE else None
            if actor is None:
                return False
            self._refresh_rows(actor)
            self.last_change = datetime.now(UTC).strftime("%H:%M:%S UTC")
            if self.show == "map" and time.monotonic() - self._field_at >= 10:
                self._refresh_field(actor)
            if self.show == "field":  # arrivals, parts requests and conflicts, live too
                desk = await self.get_state(FieldDeskState)
                desk.refresh_desk(actor)
        async with self:
            actor = self._allowed(ROUTE)
            if actor is None:
                return False
            self._refresh_kpis(actor)
            self._load_notices(actor)
        return True
