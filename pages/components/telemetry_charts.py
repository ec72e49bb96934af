"""The device page's telemetry: each metric over the last 7 days with its alarm limits and
alarms, and the failure model's scores; shown to the roles that watch a fleet."""

from __future__ import annotations

import reflex as rx

from state.telemetry import DeviceTelemetryState


def telemetry_charts() -> rx.Component:
    s = DeviceTelemetryState
    risk = rx.cond(
        s.risk != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("activity")),
            rx.callout.text(
                rx.text(s.risk, weight="bold"),
                rx.foreach(s.factors, lambda f: rx.text("· " + f, size="2")),
            ),
            color_scheme=s.risk_colour,
            id="device-risk",
        ),
    )
    body = rx.cond(
        s.has_telemetry,
        rx.vstack(
            risk,
            rx.card(
                rx.plotly(data=s.charts, use_resize_handler=True, width="100%"),
                width="100%",
            ),
            rx.text(
                "Hourly averages with the low–high range; dashed red lines are alarm limits, "
                "shaded spans the alarms raised.",
                size="1",
                color_scheme="gray",
            ),
            width="100%",
            spacing="2",
        ),
        rx.text(
            "No telemetry from this device in the last 7 days: issue it telemetry "
            "credentials and point its gateway at the broker to see its charts here.",
            size="2",
            color_scheme="gray",
        ),
    )
    return rx.cond(
        s.may_see,
        rx.vstack(
            rx.heading("Telemetry", size="4"),
            body,
            width="100%",
            spacing="2",
            id="device-telemetry",
        ),
        rx.fragment(),
    )


def telemetry_section() -> rx.Component:
    """The section as the device page places it (its charts load with the page)."""
    return rx.box(telemetry_charts(), width="100%")
