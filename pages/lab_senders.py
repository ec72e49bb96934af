"""The console's unknown senders: analyzers that wrote before any channel knew them,
grouped by sender, and the dialog that sets up their channel and processes what they sent."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from state.lab import LabState

S = LabState


def _sender(s) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(s["application"], weight="medium")),
        rx.table.cell(rx.cond(s["facility"] != "", s["facility"], "—")),
        rx.table.cell(s["protocol"]),
        rx.table.cell(rx.badge(s["waiting"], color_scheme="orange", variant="soft")),
        rx.table.cell(s["last"]),
        rx.table.cell(rx.code(s["sample"], size="1")),
        rx.table.cell(
            rx.button(
                "Set up channel",
                size="1",
                on_click=S.open_adopt(s["key"]),
                id="adopt-" + s["application"],
            )
        ),
        class_name="unknown-sender",
    )


def unknown_senders() -> rx.Component:
    """Senders without a channel, or nothing when there are none."""
    return rx.cond(
        S.senders.length() > 0,
        rx.vstack(
            rx.callout.root(
                rx.callout.icon(rx.icon("circle-help")),
                rx.callout.text(
                    "These analyzers sent messages that were refused (AR) because no channel "
                    "knows them. Set up a channel and their messages are processed."
                ),
                color_scheme="orange",
                size="1",
            ),
            record_table(
                [
                    "Sending application",
                    "Facility",
                    "Protocol",
                    "Waiting",
                    "Last seen",
                    "Newest (type · control id)",
                    "",
                ],
                S.senders,
                _sender,
                "",
                "unknown-senders",
                size="1",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def _analyzer_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Pick the analyzer from your devices", width="100%"),
        rx.select.content(
            rx.foreach(S.devices, lambda d: rx.select.item(d["label"], value=d["id"]))
        ),
        value=S.adopt_device,
        on_change=S.set_adopt_device,
    )


def adopt_dialog() -> rx.Component:
    """Set up the channel for the chosen sender and reprocess its messages."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Set up the analyzer's channel"),
            rx.dialog.description(
                "Its waiting messages are processed as soon as the channel exists.", size="2"
            ),
            rx.vstack(
                _field(
                    "Channel name",
                    rx.input(
                        value=S.adopt_name,
                        on_change=S.set_adopt_name,
                        id="adopt-name",
                        width="100%",
                    ),
                ),
                _field("Analyzer (device registry)", _analyzer_picker()),
                rx.grid(
                    _field(
                        "Sending application (MSH-3)", rx.input(value=S.adopt_app, read_only=True)
                    ),
                    _field(
                        "Sending facility (MSH-4)",
                        rx.input(value=S.adopt_facility, read_only=True, placeholder="(empty)"),
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        "Cancel", variant="soft", color_scheme="gray", on_click=S.close_adopt
                    ),
                    rx.button(
                        "Create channel and reprocess",
                        on_click=S.adopt,
                        disabled=S.adopt_name.strip() == "",
                        id="adopt-confirm",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="12px",
            ),
        ),
        open=S.adopt_key != "",
        on_open_change=lambda _open: S.close_adopt(),
    )
