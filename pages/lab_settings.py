"""Lab settings (/lab/settings): each laboratory's working hours, how each analyzer is
watched, and patients' consents to share results."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from state.lab_settings import LabSettingsState

S = LabSettingsState


def _lab_row(h) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(h["name"], weight="medium")),
        rx.table.cell(h["summary"]),
        rx.table.cell(
            rx.cond(
                h["isSet"] == "True",
                rx.badge("set", color_scheme="green", variant="soft"),
                rx.badge("default", color_scheme="gray", variant="soft"),
            )
        ),
        rx.table.cell(
            rx.button("Edit", size="1", variant="soft", on_click=S.edit_lab(h["laboratoryId"]))
        ),
        class_name="laboratory-hours",
    )


def _channel_row(w) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(w["name"], weight="medium")),
        rx.table.cell(rx.cond(w["laboratory"] != "", w["laboratory"], "—")),
        rx.table.cell(
            rx.hstack(
                rx.text(w["summary"], size="2"),
                rx.cond(
                    w["ownHours"] == "True",
                    rx.badge("own hours", color_scheme="blue", variant="soft"),
                    rx.badge("lab's hours", color_scheme="gray", variant="soft"),
                ),
                spacing="2",
                wrap="wrap",
            )
        ),
        rx.table.cell(w["silentAfterMinutes"], " min"),
        rx.table.cell(w["faultsPerHour"], " / h"),
        rx.table.cell(
            rx.button("Edit", size="1", variant="soft", on_click=S.edit_channel(w["channelId"]))
        ),
        class_name="channel-watch",
        id="watch-" + w["channelId"],
    )


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1")


def _hours_fields() -> rx.Component:
    days = rx.hstack(
        rx.foreach(
            S.day_names,
            lambda name, i: rx.checkbox(
                name, checked=S.e_days[i], on_change=lambda _v: S.toggle_day(i), size="1"
            ),
        ),
        spacing="3",
        wrap="wrap",
    )
    return rx.vstack(
        rx.checkbox("Round the clock", checked=S.e_always, on_change=S.set_e_always),
        rx.cond(
            S.e_always,
            rx.fragment(),
            rx.vstack(
                rx.hstack(
                    _labelled(
                        "Opens (IST)",
                        rx.input(
                            type="time", value=S.e_opens, on_change=S.set_e_opens, id="e-opens"
                        ),
                    ),
                    _labelled(
                        "Closes (IST)",
                        rx.input(
                            type="time", value=S.e_closes, on_change=S.set_e_closes, id="e-closes"
                        ),
                    ),
                    spacing="3",
                ),
                days,
                spacing="2",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _channel_fields() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _labelled(
                "Silent after (working minutes)",
                rx.input(value=S.e_silent, on_change=S.set_e_silent, id="e-silent", width="120px"),
            ),
            _labelled(
                "Faults an hour that open a ticket",
                rx.input(value=S.e_faults, on_change=S.set_e_faults, id="e-faults", width="120px"),
            ),
            spacing="4",
            wrap="wrap",
        ),
        rx.checkbox(
            "This analyzer keeps hours of its own (else its laboratory's)",
            checked=S.e_own,
            on_change=S.set_e_own,
            id="e-own",
        ),
        spacing="3",
        width="100%",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.edit_title),
            rx.vstack(
                rx.cond(S.edit_kind == "channel", _channel_fields()),
                rx.cond((S.edit_kind == "lab") | S.e_own, _hours_fields()),
                rx.hstack(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.close_edit),
                    rx.button("Save", on_click=S.save_edit, id="e-save"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="8px",
            ),
        ),
        open=S.edit_kind != "",
        on_open_change=lambda _open: S.close_edit(),
    )


def _consent_row(c) -> rx.Component:
    return rx.table.row(
        rx.table.cell(c["purposeLabel"]),
        rx.table.cell(c["recipient"]),
        rx.table.cell(c["version"]),
        rx.table.cell(c["given"]),
        rx.table.cell(
            rx.cond(
                c["revoked"] != "",
                rx.badge("revoked ", c["revoked"], color_scheme="gray"),
                rx.badge("in force", color_scheme="green"),
            )
        ),
        rx.table.cell(
            rx.cond(
                c["revoked"] == "",
                rx.button(
                    "Revoke",
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.ask_revoke(c["id"]),
                ),
            )
        ),
        class_name="consent-row",
    )


def _revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke this consent?"),
            rx.alert_dialog.description(
                "Results stop going to this recipient for this purpose from now on.", size="2"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Keep", variant="soft", color_scheme="gray", on_click=S.cancel_revoke)
                ),
                rx.alert_dialog.action(
                    rx.button("Revoke", color_scheme="red", on_click=S.revoke, id="revoke-confirm")
                ),
                justify="end",
                spacing="3",
                margin_top="12px",
            ),
        ),
        open=S.revoke_id != "",
    )


def _record_form() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(min_width="220px", id="c-purpose"),
            rx.select.content(
                rx.foreach(S.purposes, lambda p: rx.select.item(p["label"], value=p["value"]))
            ),
            value=S.c_purpose,
            on_change=S.set_c_purpose,
        ),
        rx.input(
            placeholder="Recipient, e.g. Apollo Hospitals",
            value=S.c_recipient,
            on_change=S.set_c_recipient,
            id="c-recipient",
            min_width="240px",
        ),
        rx.input(
            placeholder="Consent text version, e.g. v2",
            value=S.c_version,
            on_change=S.set_c_version,
            id="c-version",
            width="180px",
        ),
        rx.button(
            "Record consent",
            on_click=S.record,
            id="c-record",
            disabled=(S.patient.strip() == "") | (S.c_recipient.strip() == ""),
        ),
        gap="2",
        wrap="wrap",
        width="100%",
    )


def _consents() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.input(
                placeholder="Patient identifier (PID-3)",
                value=S.patient,
                on_change=S.set_patient,
                id="c-patient",
                min_width="240px",
            ),
            rx.button("Show consents", variant="soft", on_click=S.find_consents, id="c-find"),
            gap="2",
            wrap="wrap",
        ),
        record_table(
            ["Purpose", "Recipient", "Version", "Given", "Status", ""],
            S.consents,
            _consent_row,
            "No consent recorded for this patient: results do not leave the lab until one is.",
            "consents",
            size="1",
        ),
        rx.text("Record a consent the patient gave", size="2", weight="medium"),
        _record_form(),
        _revoke_dialog(),
        spacing="3",
        width="100%",
    )


def _card(title: str, icon: str, hint: str, body: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=16), rx.heading(title, size="4"), align="center"),
            rx.text(hint, size="2", color_scheme="gray"),
            body,
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def lab_settings_page() -> rx.Component:
    labs = record_table(
        ["Laboratory", "Working hours", "", ""],
        S.laboratories,
        _lab_row,
        "No laboratory registered for your organisation yet.",
        "laboratory-hours",
        size="1",
    )
    channels = record_table(
        ["Analyzer channel", "Laboratory", "Watched", "Silent after", "Fault limit", ""],
        S.channels,
        _channel_row,
        "No analyzer channel yet: set one up from an unknown sender on the console.",
        "channel-watches",
        size="1",
    )
    return layout(
        "Lab settings",
        rx.vstack(
            _card(
                "Working hours",
                "clock",
                "An analyzer silent within these hours opens a service ticket.",
                labs,
            ),
            _card(
                "Analyzer watch",
                "activity",
                "Each analyzer follows its laboratory's hours unless it keeps its own.",
                channels,
            ),
            _card(
                "Consents to share results",
                "signature",
                "Results are exported (FHIR) only under a consent in force.",
                _consents(),
            ),
            _edit_dialog(),
            spacing="4",
            width="100%",
        ),
        "Working hours, analyzer watch and patients' consents.",
    )
