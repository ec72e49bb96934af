"""The message log (every WhatsApp and e-mail notice sent, with its status) and each
person's notification preferences (channels per kind of notice, and language)."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from state.notifications import MessagesState, PreferencesState

_STATUSES = ["all", "queued", "sent", "delivered", "read", "failed"]
_CHANNELS = ["all", "whatsapp", "email", "sms"]


def _message_row(m) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m["at"], white_space="nowrap"),
        rx.table.cell(m["to"]),
        rx.table.cell(m["channel"]),
        rx.table.cell(rx.badge(m["language"], variant="soft", color_scheme="gray")),
        rx.table.cell(
            rx.vstack(
                rx.text(m["what"], size="2"),
                rx.text(m["template"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(m["status"], color_scheme=m["colour"])),
        rx.table.cell(m["attempts"]),
        rx.table.cell(rx.text(m["error"], size="1", color_scheme="red")),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.text("Status", size="2"),
        rx.select(
            _STATUSES,
            value=MessagesState.f_status,
            on_change=lambda v: MessagesState.filter_by(v, MessagesState.f_channel),
            size="1",
            id="log-status",
        ),
        rx.text("Channel", size="2"),
        rx.select(
            _CHANNELS,
            value=MessagesState.f_channel,
            on_change=lambda v: MessagesState.filter_by(MessagesState.f_status, v),
            size="1",
            id="log-channel",
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def messages_page() -> rx.Component:
    return layout(
        "Message log",
        rx.vstack(
            _filters(),
            record_table(
                ["When (IST)", "To", "Channel", "Lang", "Notice", "Status", "Tries", "Last error"],
                MessagesState.messages,
                _message_row,
                "No WhatsApp or e-mail notice has been sent yet. Notices go out when tickets, "
                "imports, orders and lab results change, to people who chose those channels.",
                "message-log",
            ),
            rx.hstack(
                rx.text(MessagesState.showing, size="2", color_scheme="gray", id="log-showing"),
                rx.button(
                    "Newer",
                    size="1",
                    variant="soft",
                    on_click=MessagesState.page(-1),
                    disabled=MessagesState.offset == 0,
                ),
                rx.button(
                    "Older",
                    size="1",
                    variant="soft",
                    on_click=MessagesState.page(1),
                    disabled=~MessagesState.has_next,
                ),
                spacing="3",
                align="center",
            ),
            spacing="4",
            width="100%",
        ),
        "Every notice your organisation sent on WhatsApp or e-mail, and what became of it.",
    )


def _tick(row, channel: str) -> rx.Component:
    return rx.table.cell(
        rx.checkbox(
            checked=row[channel] == "yes",
            on_change=lambda on: PreferencesState.toggle(row["kind"], channel, on),
        )
    )


def _pref_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["label"]),
        _tick(row, "in_app"),
        _tick(row, "whatsapp"),
        _tick(row, "email"),
    )


def _addresses() -> rx.Component:
    return rx.callout.root(
        rx.callout.text(
            rx.cond(
                PreferencesState.phone != "",
                rx.text.span("WhatsApp goes to ", rx.text.strong(PreferencesState.phone), ". "),
                rx.text.span(
                    "You have no WhatsApp number yet: ask your admin to add it, until then "
                    "WhatsApp notices are skipped. "
                ),
            ),
            "E-mail goes to ",
            rx.text.strong(PreferencesState.email),
            ".",
        ),
        color_scheme="gray",
        size="1",
    )


def preferences_page() -> rx.Component:
    return layout(
        "Notification preferences",
        rx.vstack(
            rx.hstack(
                rx.text("Language of your notices", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(min_width="160px", id="pref-language"),
                    rx.select.content(
                        rx.foreach(
                            PreferencesState.languages,
                            lambda lang: rx.select.item(lang["name"], value=lang["code"]),
                        )
                    ),
                    value=PreferencesState.language,
                    on_change=PreferencesState.set_language,
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            _addresses(),
            record_table(
                ["Notice", "In-app", "WhatsApp", "E-mail"],
                PreferencesState.rows,
                _pref_row,
                "No kinds of notice to choose from.",
                "pref-table",
            ),
            rx.hstack(
                rx.button("Save preferences", on_click=PreferencesState.save, id="pref-save"),
                rx.text(PreferencesState.saved, size="2", color_scheme="green"),
                spacing="3",
                align="center",
            ),
            spacing="4",
            width="100%",
            max_width="760px",
        ),
        "Choose where each kind of notice reaches you, and in which language.",
    )
