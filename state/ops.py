"""The dispatcher's live board: it refreshes on every ticket change in any process
(PostgreSQL NOTIFY) and its SLA clocks tick every second."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import plotly.graph_objects as go
import psycopg
import reflex as rx

from app.maps import field_map
from app.money import format_inr
from services.db import app_url, tenant_session
from services.dispatch.field import field_view
from services.tickets.board import board_choices, list_tickets
from services.tickets.kpis import console_kpis
from state.auth import AuthState

PRIORITY_COLOURS = {"P1": "#dc2626", "P2": "#ea580c", "P3": "#2563eb", "P4": "#6b7280"}
ROUTE = "/ops"
_LAYOUT = dict(template="none", height=230, autosize=True, margin=dict(l=36, r=12, t=36, b=30),
               paper_bgcolor="white", plot_bgcolor="white", font=dict(size=12),
               xaxis=dict(gridcolor="#eee"), yaxis=dict(gridcolor="#eee", rangemode="tozero"))


def _clock(due_iso: str, now: float) -> tuple[str, str]:
    """Remaining time as h:mm:ss (negative once late) and its risk colour."""
    if not due_iso:
        return "paused", "gray"
    left = datetime.fromisoformat(due_iso).timestamp() - now
    sign, left_abs = ("-" if left < 0 else ""), abs(int(left))
    text = f"{sign}{left_abs // 3600}:{left_abs % 3600 // 60:02d}:{left_abs % 60:02d}"
    return text, "red" if left < 0 else "orange" if left < 1800 else "green"


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
    _raw: list[dict] = []
    _listening: bool = False
    _kpis: object = None
    show: str = "board"  # or "map"
    field_html: str = ""
    _field_at: float = 0.0

    def _refresh(self) -> None:
        self._refresh_rows()
        self._refresh_kpis()

    def _refresh_rows(self) -> None:
        """The board and the filter choices: what must reach the screen first."""
        actor = self._allowed(ROUTE)
        if actor is None:
            return

        def pick(value: str) -> str | None:
            return None if value == "all" else value

        with tenant_session(actor) as db:
            tickets = list_tickets(db, status=pick(self.status), priority=pick(self.priority),
                                   city=pick(self.city), partner=pick(self.partner), limit=500)
            choices = board_choices(db)
        self.cities, self.partners = choices["cities"], choices["partners"]
        self.breached_open = choices["breachedOpen"]
        self._raw = tickets
        self._tick()

    def _refresh_kpis(self) -> None:
        actor = self._allowed(ROUTE)
        if actor is None:
            return
        with tenant_session(actor) as db:
            kpis = console_kpis(db)
        if kpis != self._kpis:  # charts re-render only when their numbers change
            self._kpis = kpis
            self._figures(kpis)

    def _tick(self) -> None:
        now = time.time()
        rows = []
        for t in self._raw:
            clock, colour = _clock(t["nextDueAt"] or "", now)
            rows.append({**{k: str(v) for k, v in t.items()}, "clock": clock, "risk": colour,
                         "breached": "yes" if t["breached"] else ""})
        self.rows = rows

    def _figures(self, kpis) -> None:
        counts = kpis.open_by_priority
        bars = go.Figure(go.Bar(x=list(counts), y=list(counts.values()),
                                marker_color=[PRIORITY_COLOURS[p] for p in counts]))
        bars.update_layout(**_LAYOUT, title="Open tickets by priority")
        line = go.Figure(go.Scatter(x=[d for d, _ in kpis.mttr_hours_by_day],
                                    y=[h for _, h in kpis.mttr_hours_by_day], mode="lines+markers",
                                    line_color="#0f766e"))
        line.update_layout(**_LAYOUT, title="Mean time to resolve (hours)")
        if not kpis.mttr_hours_by_day:
            line.add_annotation(text="No ticket resolved in the last 14 days", showarrow=False,
                                xref="paper", yref="paper", x=0.5, y=0.5)
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
        self._refresh()
        return OpsState.listen

    def _refresh_field(self) -> None:
        """The field map (rendered only while shown, at most every 10 s on changes)."""
        actor = self._allowed(ROUTE)
        if actor is None:
            return
        with tenant_session(actor) as db:
            view = field_view(db, actor.tenant_id)
        self.field_html = field_map(view)
        self._field_at = time.monotonic()

    @rx.event
    def set_show(self, value: str | list[str]):
        self.show = value if isinstance(value, str) else value[0]
        if self.show == "map":
            self._refresh_field()

    @rx.event
    def set_priority(self, value: str):
        self.priority = value
        self._refresh()

    @rx.event
    def set_status(self, value: str):
        self.status = value
        self._refresh()

    @rx.event
    def set_city(self, value: str):
        self.city = value
        self._refresh()

    @rx.event
    def set_partner(self, value: str):
        self.partner = value
        self._refresh()

    @rx.event(background=True)
    async def listen(self):
        """Refresh on ticket changes, tick the clocks every second, stop off the page."""
        async with self:
            if self._listening:
                return
            self._listening = True
            actor = self._actor()
        if actor is None:
            async with self:
                self._listening = False
            return
        mine = {str(actor.tenant_id)}
        url = app_url().replace("postgresql+psycopg://", "postgresql://")
        try:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                await conn.execute("LISTEN ticket_changed")
                async with self:
                    # Changes made between the first load and LISTEN are caught here.
                    self._refresh()
                    self.live = True
                last_tick, started = 0.0, time.monotonic()
                while time.monotonic() - started < 8 * 3600:
                    changed = False
                    async for note in conn.notifies(timeout=0.2):
                        body = json.loads(note.payload)
                        changed |= bool(mine & {body.get("tenantId"), body.get("partnerId")})
                        if changed:  # show it now; later notices wait in psycopg's backlog
                            break
                    if changed or time.monotonic() - last_tick >= 1:
                        async with self:
                            if self.router.page.path != ROUTE:
                                break
                            if changed:
                                self._refresh_rows()
                                self.last_change = datetime.now(UTC).strftime("%H:%M:%S UTC")
                            if (changed and self.show == "map"
                                    and time.monotonic() - self._field_at >= 10):
                                self._refresh_field()
                            else:
                                self._tick()
                        if changed:
                            async with self:
                                self._refresh_kpis()
                                self._load_notices(actor)
                        last_tick = time.monotonic()
        finally:
            async with self:
                self.live, self._listening = False, False
