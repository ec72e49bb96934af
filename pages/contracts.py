"""Service contracts: the list, and one contract's coverage, figures and devices."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from state.contracts import ContractsState

S = ContractsState


def _row(c) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                c["label"],
                variant="ghost",
                size="1",
                on_click=S.open_panel(c["id"]),
                id="contract-" + c["label"],
            )
        ),
        rx.table.cell(rx.badge(c["kind"], variant="soft")),
        rx.table.cell(c["party"]),
        rx.table.cell(c["tier"]),
        rx.table.cell(c["dates"]),
        rx.table.cell(
            rx.cond(
                c["soon"] == "yes",
                rx.badge(c["left"], color_scheme="orange"),
                rx.text(c["left"], size="2"),
            )
        ),
        rx.table.cell(c["devices"]),
        rx.table.cell(c["value"]),
    )


def _fact(label: str, value) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.text(value, size="3", weight="bold"),
            spacing="1",
        ),
    )


def _device(d) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d["device"]),
        rx.table.cell(d["serial"]),
        rx.table.cell(d["site"]),
        rx.table.cell(
            rx.text(
                d["uptime"],
                weight="bold",
                color=rx.cond(d["low"] == "yes", "var(--red-11)", "var(--green-11)"),
            )
        ),
        rx.table.cell(d["down"]),
    )


def _panel() -> rx.Component:
    c = S.contract
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    rx.dialog.title(c["label"] + " · " + c["kind"]),
                    rx.spacer(),
                    rx.dialog.close(
                        rx.icon_button(rx.icon("x"), variant="ghost", on_click=S.close_panel)
                    ),
                    width="100%",
                ),
                rx.text(
                    c["party"] + " · " + c["dates"] + " · tier " + c["tier"],
                    size="2",
                    color_scheme="gray",
                ),
                rx.grid(
                    _fact("Covers", c["covers"]),
                    _fact("Uptime promised", c["promise"]),
                    _fact("SLA compliance (" + c["month"] + ")", c["compliance"]),
                    _fact("First-time fix", c["ftf"]),
                    _fact("Tickets resolved", c["resolved"]),
                    _fact("Penalties due", c["penalty"]),
                    _fact("Preventive visits", c["visits"]),
                    _fact("Value", c["value"]),
                    columns=rx.breakpoints(initial="2", md="4"),
                    spacing="2",
                    width="100%",
                ),
                record_table(
                    ["Device", "Serial", "Site", "Uptime", "Down"],
                    S.devices,
                    _device,
                    "No devices under this contract yet.",
                    "contract-devices",
                    size="1",
                ),
                rx.hstack(
                    rx.link(
                        rx.button(
                            rx.icon("file-text", size=14), c["statement_label"], variant="soft"
                        ),
                        href=c["statement"],
                        is_external=True,
                    ),
                    rx.cond(
                        S.can_renew,
                        rx.cond(
                            c["renewal"] != "",
                            rx.link(
                                rx.button("Renewal RFQ", variant="soft"),
                                href="/rfqs/" + c["renewal"],
                            ),
                            rx.button("Ask for a renewal quote", on_click=S.renew, id="renew"),
                        ),
                    ),
                    spacing="2",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="860px",
        ),
        open=S.panel_open,
        on_open_change=lambda _open: S.close_panel(),
    )


def contracts_page() -> rx.Component:
    return layout(
        "Contracts",
        rx.vstack(
            record_table(
                [
                    "Contract",
                    "Kind",
                    "OEM → customer",
                    "SLA tier",
                    "Term",
                    "Ends",
                    "Devices",
                    "Value",
                ],
                S.contracts,
                _row,
                "No AMC, CMC or warranty contracts yet. Award an RFQ with service terms to start one.",
                "contracts",
                size="1",
            ),
            _panel(),
            spacing="3",
            width="100%",
        ),
        "Coverage, uptime against the promise, SLA compliance and penalties, per contract.",
    )
