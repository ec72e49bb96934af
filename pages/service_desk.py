"""The service desk of a hospital or lab: its tickets with filters, a ticket's panel to
comment, confirm or reopen, and its devices by site with uptime."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from state.service_desk import ServiceDeskState

S = ServiceDeskState
PRIORITY_SCHEMES = {"P1": "red", "P2": "orange", "P3": "blue", "P4": "gray"}
STATUSES = [
    ("all", "All statuses"),
    ("open", "Open"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
]


def _priority(p) -> rx.Component:
    return rx.badge(p, color_scheme=rx.match(p, *PRIORITY_SCHEMES.items(), "gray"), variant="solid")


def _ticket_row(t) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                "#" + t["number"],
                variant="ghost",
                size="1",
                on_click=S.open_panel(t["id"]),
                id="open-" + t["number"],
            )
        ),
        rx.table.cell(_priority(t["priority"])),
        rx.table.cell(rx.badge(t["status"], variant="soft"), class_name="ticket-status"),
        rx.table.cell(
            rx.text(t["clock"], color=rx.cond(t["breached"] == "yes", "var(--red-11)", None))
        ),
        rx.table.cell(t["engineer"]),
        rx.table.cell(t["eta"]),
        rx.table.cell(t["site"]),
        rx.table.cell(t["device"]),
        rx.table.cell(rx.text(t["description"], size="1", color_scheme="gray")),
        id="ticket-" + t["number"],
    )


def _device_row(d) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d["site"]),
        rx.table.cell(rx.link(d["device"], href="/devices/" + d["id"])),
        rx.table.cell(d["serial"]),
        rx.table.cell(d["cover"]),
        rx.table.cell(rx.badge(d["state"], variant="soft")),
        rx.table.cell(
            rx.text(
                d["uptime"],
                weight="bold",
                color=rx.cond(d["low"] == "yes", "var(--red-11)", "var(--green-11)"),
            )
        ),
        rx.table.cell(d["open"]),
    )


def _select(items, value, on_change, id_: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=id_),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
    )


def _filters() -> rx.Component:
    return rx.flex(
        _select(
            [
                rx.select.item("All sites", value="all"),
                rx.foreach(S.sites, lambda s: rx.select.item(s["name"], value=s["id"])),
            ],
            S.site,
            S.filter_site,
            "f-site",
        ),
        _select(
            [
                rx.select.item("All device types", value="all"),
                rx.foreach(S.device_types, lambda t: rx.select.item(t, value=t)),
            ],
            S.device_type,
            S.filter_type,
            "f-type",
        ),
        _select(
            [rx.select.item(label, value=v) for v, label in STATUSES],
            S.status,
            S.filter_status,
            "f-status",
        ),
        rx.spacer(),
        rx.link(rx.button(rx.icon("siren", size=14), "Report a fault", size="2"), href="/report"),
        spacing="2",
        wrap="wrap",
        width="100%",
        align="center",
    )


def _fact(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium"),
        spacing="0",
    )


def _history_item(h) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(h["what"], weight="medium", size="2"),
            rx.spacer(),
            rx.text(h["at"], size="1", color_scheme="gray"),
        ),
        rx.text(h["by"], size="1", color_scheme="gray"),
        rx.cond(h["note"] != "", rx.text(h["note"], size="2")),
        padding_y="6px",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )


def _panel() -> rx.Component:
    t = S.ticket
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    rx.dialog.title("Ticket #" + t["number"]),
                    _priority(t["priority"]),
                    rx.badge(t["status"], variant="soft", id="panel-status"),
                    rx.spacer(),
                    rx.dialog.close(
                        rx.icon_button(rx.icon("x"), variant="ghost", on_click=S.close_panel)
                    ),
                    align="center",
                    width="100%",
                ),
                rx.text(t["description"], size="2"),
                rx.grid(
                    _fact("Engineer", t["engineer"]),
                    _fact("ETA", t["eta"]),
                    _fact("Response due", t["response"]),
                    _fact("Resolution due", t["resolution"]),
                    _fact("Resolved", t["resolved"]),
                    columns="3",
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    S.can_confirm,
                    rx.callout.root(
                        rx.callout.icon(rx.icon("circle-check")),
                        rx.callout.text("The engineer marked this fixed. Is the device working?"),
                        color_scheme="green",
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.can_confirm,
                    rx.hstack(
                        rx.button(
                            "Confirm the fix",
                            on_click=S.confirm,
                            color_scheme="green",
                            id="confirm-fix",
                        ),
                        rx.cond(
                            S.can_reopen,
                            rx.hstack(
                                rx.input(
                                    placeholder="What is still wrong?",
                                    value=S.reason,
                                    on_change=S.set_reason,
                                    id="reopen-reason",
                                    width="240px",
                                ),
                                rx.button(
                                    "Reopen",
                                    on_click=S.reopen,
                                    variant="soft",
                                    color_scheme="orange",
                                    id="reopen",
                                ),
                            ),
                        ),
                        wrap="wrap",
                        spacing="2",
                    ),
                ),
                rx.hstack(
                    rx.text_area(
                        placeholder="Add a comment for the service team",
                        value=S.comment,
                        on_change=S.set_comment,
                        id="comment-box",
                        width="100%",
                    ),
                    rx.button("Send", on_click=S.post_comment, id="send-comment"),
                    width="100%",
                    align="end",
                ),
                rx.heading("History", size="3"),
                rx.box(
                    rx.foreach(S.history, _history_item),
                    max_height="260px",
                    overflow_y="auto",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="640px",
        ),
        open=S.panel_open,
        on_open_change=lambda _open: S.close_panel(),
    )


def service_desk_page() -> rx.Component:
    tickets = record_table(
        ["Ticket", "Priority", "Status", "SLA clock", "Engineer", "ETA", "Site", "Device", "What"],
        S.tickets,
        _ticket_row,
        "No tickets match. Report a fault on a device and follow it here until you confirm the fix.",
        "desk-tickets",
        size="1",
        max_height="60vh",
    )
    devices = record_table(
        ["Site", "Device", "Serial", "Cover", "State", "Uptime (30 days)", "Open tickets"],
        S.fleet,
        _device_row,
        "No devices yet. Register your devices to follow their uptime here.",
        "desk-devices",
        size="1",
        max_height="60vh",
    )
    return layout(
        "Service desk",
        rx.vstack(
            _filters(),
            tickets,
            rx.heading("Devices by site", size="4", margin_top="12px"),
            devices,
            _panel(),
            spacing="3",
            width="100%",
        ),
        "Your tickets with their SLA clock, engineer and ETA; confirm a fix or reopen it.",
    )
