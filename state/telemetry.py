"""Telemetry on screen: the device page's charts (each metric hourly with its alarm
limits and alarms, and the failure model's scores against its threshold), and the fleet
health view (/fleet): devices by failure risk, open alarms and a map."""

from __future__ import annotations

import uuid

import plotly.graph_objects as go
import reflex as rx
from plotly.subplots import make_subplots

from services.actor import Actor, TenantKind
from services.common.clock import ist_text
from services.common.roles import FLEET_WATCHERS
from services.db import tenant_session
from services.errors import DomainError
from services.maps import fleet_map
from services.telemetry.fleet import device_telemetry, fleet_health
from services.telemetry.preemptive import chance
from state.auth import AuthState
from state.guard import guarded

DEVICE_ROUTE = "/devices/detail"
FLEET_ROUTE = "/fleet"
RISK_WORDS = {"high": "High", "watch": "Watch", "low": "Low", "unscored": "Not scored yet"}
RISK_COLOURS = {"high": "red", "watch": "orange", "low": "green", "unscored": "gray"}
_LINE = "#2563eb"
_ALARM = "#dc2626"


def charts_figure(view: dict) -> go.Figure:
    """One figure: a row per metric (hourly average, low–high band, alarm limits dashed,
    alarms shaded) and a last row of failure scores with the model's threshold."""
    rows = len(view["metrics"]) + 1
    titles = [f"{m['label']} ({m['unit']})" for m in view["metrics"]]
    titles.append("Failure probability within 30 days")
    fig = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, subplot_titles=titles, vertical_spacing=0.35 / rows
    )
    for i, metric in enumerate(view["metrics"], start=1):
        xs = [p["ts"] for p in metric["points"]]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[p["max"] for p in metric["points"]],
                mode="lines",
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            ),
            row=i,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[p["min"] for p in metric["points"]],
                mode="lines",
                line=dict(width=0),
                fill="tonexty",
                fillcolor="rgba(37,99,235,0.12)",
                hoverinfo="skip",
                showlegend=False,
            ),
            row=i,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[p["avg"] for p in metric["points"]],
                mode="lines",
                name=metric["label"],
                line=dict(color=_LINE, width=1.6),
                showlegend=False,
            ),
            row=i,
            col=1,
        )
        for band in metric["bands"]:
            fig.add_hline(
                y=band["limit"],
                line=dict(color=_ALARM, dash="dash", width=1),
                annotation_text=band["says"],
                annotation_font_size=10,
                row=i,
                col=1,
            )
        for alarm in view["alarms"]:
            if alarm["metric"] == metric["name"]:
                fig.add_vrect(
                    x0=alarm["from"],
                    x1=alarm["to"] or xs[-1],
                    fillcolor=_ALARM,
                    opacity=0.12,
                    line_width=0,
                    row=i,
                    col=1,
                )
    scores = view["scores"]
    fig.add_trace(
        go.Scatter(
            x=[s["at"] for s in scores],
            y=[s["probability"] for s in scores],
            mode="lines+markers",
            line=dict(color="#7c3aed"),
            marker=dict(size=5),
            name="Failure probability",
            showlegend=False,
        ),
        row=rows,
        col=1,
    )
    fig.add_hline(
        y=view["threshold"],
        line=dict(color=_ALARM, dash="dot", width=1),
        annotation_text="preemptive ticket above this",
        annotation_font_size=10,
        row=rows,
        col=1,
    )
    fig.update_yaxes(range=[0, 1], tickformat=".0%", row=rows, col=1)
    fig.update_layout(
        template="none",
        height=150 * rows + 40,
        autosize=True,
        margin=dict(l=48, r=16, t=36, b=28),
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(size=11),
    )
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    fig.update_annotations(font_size=11)
    return fig


class DeviceTelemetryState(AuthState):
    charts: go.Figure = go.Figure()
    has_telemetry: bool = False
    may_see: bool = False
    risk: str = ""
    risk_colour: str = "gray"
    factors: list[str] = []

    @rx.event
    @guarded(DEVICE_ROUTE)
    def load_charts(self, actor: Actor):
        """The device's last 7 days of telemetry, for the roles that watch a fleet."""
        self.may_see = bool(actor.roles & FLEET_WATCHERS)
        self.has_telemetry, self.factors, self.risk = False, [], ""
        if not self.may_see:
            return
        try:
            device_id = uuid.UUID(self.router.page.params.get("device_id", ""))
            with tenant_session(actor) as db:
                view = device_telemetry(db, actor, device_id)
        except (ValueError, DomainError):
            return
        self.has_telemetry = bool(view["metrics"])
        if not self.has_telemetry:
            return
        self.charts = charts_figure(view)
        if view["scores"]:
            last = view["scores"][-1]
            high = last["probability"] >= view["threshold"]
            self.risk = f"{chance(last['probability'])} chance of failing within 30 days"
            self.risk_colour = "red" if high else "green"
            self.factors = [
                f"{f.get('label', f['metric'])}: {f['statistic']} {f['value']:g} {f.get('unit', '')}"
                for f in last["factors"]
            ]


def _fleet_row(d: dict) -> dict[str, str]:
    # A ticket worked by the partner the owner granted the device to is not the OEM's to open.
    ticket = f"#{d['ticketNumber']} {d['ticketStatus']}" if d["ticketNumber"] else ""
    if d["ticketId"] and not d["ticketNumber"]:
        ticket = "Opened, with the service partner"
    return {
        "device": d["deviceId"],
        "serial": d["serial"],
        "model": d["model"],
        "type": d["type"],
        "site": ", ".join(x for x in (d["site"], d["city"]) if x),
        "probability": chance(d["probability"]),
        "risk": RISK_WORDS[d["risk"]],
        "colour": RISK_COLOURS[d["risk"]],
        "alarms": str(d["openAlarms"]),
        "ticket": ticket,
        "ticketId": d["ticketId"] if d["ticketNumber"] else "",
        "seen": ist_text(d["lastSeen"], "%d %b %H:%M", empty="no reading in 2 days"),
    }


class FleetState(AuthState):
    devices: list[dict[str, str]] = []
    alarms: list[dict[str, str]] = []
    map_html: str = ""
    at_risk: int = 0
    watching: int = 0
    open_alarms: int = 0
    heading: str = "Fleet health"

    @rx.event
    def load(self):
        actor, redirect = self._enter(FLEET_ROUTE)
        if redirect or actor is None:
            return redirect
        self._fill(actor)

    @rx.event
    @guarded(FLEET_ROUTE)
    def refresh(self, actor: Actor):
        self._fill(actor)

    def _fill(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            view = fleet_health(db, actor)
        ours = actor.tenant_kind in (TenantKind.OEM, TenantKind.SERVICE_PARTNER)
        self.heading = "Fleet health: devices you service" if ours else "Your devices' health"
        self.devices = [_fleet_row(d) for d in view["devices"]]
        self.at_risk = sum(d["risk"] == "high" for d in view["devices"])
        self.watching = len(view["devices"])
        self.open_alarms = len(view["alarms"])
        self.alarms = [
            {
                "device": a["deviceId"],
                "serial": a["serial"],
                "says": a["says"],
                "value": "" if a["value"] is None else f"{a['value']:g}",
                "since": ist_text(a["raisedAt"], "%d %b %H:%M"),
            }
            for a in view["alarms"]
        ]
        self.map_html = fleet_map(view["devices"]) if view["devices"] else ""
