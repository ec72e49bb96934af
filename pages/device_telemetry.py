"""The device page's telemetry connection: credentials (issue shown once, rotate, revoke,
the list) and the payloads the ingest refused."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table, record_table
from state.device_telemetry import DeviceConnectionState

S = DeviceConnectionState


def _secret(label: str, key: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(rx.code(S.issued[key], id=f"issued-{key}", word_break="break-all")),
    )


def _issued_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title("The device's telemetry credential"),
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert")),
                    rx.callout.text(
                        "Copy it into the device or its gateway now: the password is shown "
                        "this once and cannot be shown again."
                    ),
                    color_scheme="orange",
                    size="1",
                ),
                rx.data_list.root(
                    _secret("Broker", "mqttUrl"),
                    _secret("Topic", "topic"),
                    _secret("Username", "username"),
                    _secret("Password", "password"),
                    orientation="vertical",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy all",
                        variant="soft",
                        on_click=[
                            rx.set_clipboard(S.issued_text),
                            rx.toast.success("Copied"),
                        ],
                        id="copy-credential",
                    ),
                    rx.dialog.close(rx.button("I have saved it", id="close-credential")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="520px",
            id="issued-credential",
        ),
        open=S.issued_open,
        on_open_change=S.close_issued,
    )


def _confirmed(trigger: rx.Component, title: str, says: str, act: str, on_click) -> rx.Component:
    """A button that asks before it acts."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(says),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(act, color_scheme="red", on_click=on_click, id=f"confirm-{act}")
                ),
                spacing="3",
                justify="end",
            ),
        ),
    )


def _buttons() -> rx.Component:
    rotate = _confirmed(
        rx.button(rx.icon("refresh-cw", size=14), "Rotate", variant="soft", id="rotate-credential"),
        "Rotate the credential?",
        "A new password is issued and the current one stops working at once: the device "
        "cannot publish until it has the new one.",
        "Rotate",
        S.issue,
    )
    revoke = _confirmed(
        rx.button(
            rx.icon("ban", size=14),
            "Revoke",
            variant="soft",
            color_scheme="red",
            id="revoke-credential",
        ),
        "Revoke the credential?",
        "The broker refuses the device from now on, until a new credential is issued.",
        "Revoke",
        S.revoke,
    )
    issue = rx.button(
        rx.icon("key-round", size=14), "Issue credential", on_click=S.issue, id="issue-credential"
    )
    return rx.hstack(rx.cond(S.live > 0, rx.fragment(rotate, revoke), issue), spacing="2")


def _credentials() -> rx.Component:
    return rx.cond(
        S.can_provision,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Telemetry credentials", size="3"),
                    rx.spacer(),
                    _buttons(),
                    align="center",
                    width="100%",
                    wrap="wrap",
                ),
                data_table(
                    [
                        ("username", "Username"),
                        ("issued", "Issued (IST)"),
                        ("lastUsed", "Last used"),
                        ("status", "Status"),
                    ],
                    S.credentials,
                    "No credential yet: issue one and configure the device or its gateway "
                    "with it to start receiving telemetry.",
                    "credential-table",
                ),
                _issued_dialog(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _refusal(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"], white_space="nowrap"),
        rx.table.cell(rx.badge(row["kind"], color_scheme="orange", variant="soft")),
        rx.table.cell(rx.text(row["reason"], size="1")),
        rx.table.cell(rx.code(row["excerpt"], size="1", word_break="break-all")),
    )


def _refusals() -> rx.Component:
    pager = rx.hstack(
        rx.button(
            "Newer", variant="soft", size="1", disabled=S.page <= 1, on_click=S.turn_page(-1)
        ),
        rx.text("Page ", S.page, " of ", S.pages, size="1", color_scheme="gray"),
        rx.button(
            "Older", variant="soft", size="1", disabled=S.page >= S.pages, on_click=S.turn_page(1)
        ),
        align="center",
        spacing="2",
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Refused payloads", size="3"),
                rx.badge(S.refused_total, variant="soft", color_scheme="gray"),
                rx.foreach(
                    S.refusal_kinds,
                    lambda k: rx.badge(k["kind"], ": ", k["count"], color_scheme="orange"),
                ),
                align="center",
                wrap="wrap",
                spacing="2",
                id="refusal-kinds",
            ),
            record_table(
                ["When (IST)", "Kind", "Reason", "What was sent"],
                S.refusals,
                _refusal,
                "Nothing refused: every payload from this device matched its type's schema.",
                "refusal-table",
                size="1",
            ),
            rx.cond(S.pages > 1, pager),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def device_connection() -> rx.Component:
    """The credentials card (for those who manage them) and the refused payloads."""
    return rx.vstack(_credentials(), _refusals(), spacing="3", width="100%", id="device-connection")
