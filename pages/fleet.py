"""The fleet health view (/fleet): for an OEM's service managers and dispatchers, the
devices they service by failure risk, open alarms and a map; for a hospital or lab, its own
devices the same way. The OEM's service manager also sets its alarm rules here."""

from __future__ import annotations

import reflex as rx

from pages.alarm_rules import alarm_rules
from pages.components.data_table import record_table
from pages.components.layout import layout
from pages.components.map_frame import map_frame
from state.telemetry import FleetState


def _kpi(label: str, value, colour: str = "gray") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.heading(value, size="6", color_scheme=colour),
            spacing="1",
        ),
        width="100%",
    )


def _device_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["serial"], href="/devices/" + row["device"], weight="bold"),
            rx.text(row["model"], size="1", color_scheme="gray"),
        ),
        rx.table.cell(row["site"]),
        rx.table.cell(rx.badge(row["risk"], color_scheme=row["colour"]), " ", row["probability"]),
        rx.table.cell(row["alarms"]),
        rx.table.cell(
            rx.cond(
                row["ticketId"] != "",
                rx.link(row["ticket"], href="/tickets/" + row["ticketId"]),
                rx.text(rx.cond(row["ticket"] != "", row["ticket"], "—"), color_scheme="gray"),
            )
        ),
        rx.table.cell(row["seen"]),
    )


def _alarm_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["serial"], href="/devices/" + row["device"], weight="bold")),
        rx.table.cell(row["says"]),
        rx.table.cell(row["value"]),
        rx.table.cell(row["since"]),
    )


def fleet_page() -> rx.Component:
    s = FleetState
    kpis = rx.grid(
        _kpi("Devices reporting or scored", s.watching.to_string()),
        _kpi("At risk of failing within 30 days", s.at_risk.to_string(), "red"),
        _kpi("Open alarms", s.open_alarms.to_string(), "orange"),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="3",
        width="100%",
    )
    devices = record_table(
        [
            "Device",
            "Site",
            "Failure risk (30 days)",
            "Open alarms",
            "Preemptive ticket",
            "Last reading (IST)",
        ],
        s.devices,
        _device_row,
        "No device sends telemetry yet: issue a device its telemetry credentials from its "
        "page, and it appears here with its failure risk once it reports.",
        "fleet-devices",
    )
    alarms = record_table(
        ["Device", "Alarm", "Last value", "Since (IST)"],
        s.alarms,
        _alarm_row,
        "No open alarm: every device is within its limits.",
        "fleet-alarms",
    )
    body = rx.vstack(
        rx.hstack(
            rx.heading(s.heading, size="5"),
            rx.spacer(),
            rx.button(
                rx.icon("refresh-cw", size=14),
                "Refresh",
                variant="soft",
                on_click=s.refresh,
                id="fleet-refresh",
            ),
            width="100%",
            align="center",
        ),
        kpis,
        rx.cond(
            s.map_html != "",
            map_frame(
                src_doc=s.map_html,
                width="100%",
                height="340px",
                style={"border": "0", "borderRadius": "8px"},
                id="fleet-map",
            ),
        ),
        rx.heading("Devices by failure risk", size="4"),
        devices,
        rx.heading("Open alarms", size="4"),
        alarms,
        alarm_rules(),
        spacing="4",
        width="100%",
    )
    return layout("Fleet health", body)
