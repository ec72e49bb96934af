"""/fleet's alarm rules card: the rules of a device type with the OEM's numbers, each
editable in a dialog, for the OEM's service manager."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from state.alarm_rules import AlarmRulesState

S = AlarmRulesState


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(row["says"], weight="medium"),
            rx.text(row["rule"], size="1", color_scheme="gray"),
        ),
        rx.table.cell(row["limit"]),
        rx.table.cell(row["clear"]),
        rx.table.cell(row["minutes"]),
        rx.table.cell(row["priority"]),
        rx.table.cell(
            rx.badge(
                row["source"],
                color_scheme=rx.cond(row["changed"] != "", "blue", "gray"),
                variant="soft",
            ),
            rx.cond(
                row["changed"] != "",
                rx.text("Default: ", row["default"], size="1", color_scheme="gray"),
            ),
        ),
        rx.table.cell(
            rx.button(
                "Edit",
                size="1",
                variant="soft",
                on_click=S.edit(row["rule"]),
                id="edit-" + row["rule"],
            )
        ),
    )


def _field(label, value, on_change, field_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(value=value, on_change=on_change, id=field_id, width="100%", input_mode="decimal"),
        spacing="1",
        width="100%",
    )


def _dialog() -> rx.Component:
    numbers = rx.cond(
        S.kind != "silence",
        rx.hstack(
            _field(
                rx.cond(S.kind == "rate", "Limit (per minute)", "Limit"),
                S.limit,
                S.set_limit,
                "rule-limit",
            ),
            _field("Clears at", S.clear, S.set_clear, "rule-clear"),
            spacing="3",
            width="100%",
        ),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title("Alarm rule for ", S.device_type, ": ", S.editing),
                rx.dialog.description(
                    "Applies to every device of this type you make; the ingest reads the "
                    "new numbers within a minute.",
                    size="2",
                ),
                numbers,
                _field(
                    rx.cond(
                        S.kind == "silence",
                        "Silence before the alarm (minutes)",
                        "Minimum duration (minutes)",
                    ),
                    S.minutes,
                    S.set_minutes,
                    "rule-minutes",
                ),
                rx.vstack(
                    rx.text("Priority", size="2", weight="medium"),
                    rx.select(
                        ["P1", "P2", "P3", "P4"],
                        value=S.priority,
                        on_change=S.set_priority,
                        id="rule-priority",
                    ),
                    spacing="1",
                ),
                rx.hstack(
                    rx.button(
                        "Back to default",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.restore_default,
                        id="rule-reset",
                    ),
                    rx.spacer(),
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=S.save, id="rule-save"),
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="460px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def alarm_rules() -> rx.Component:
    """The card, shown to the OEM's service manager only."""
    return rx.cond(
        S.may_edit,
        rx.vstack(
            rx.hstack(
                rx.heading("Alarm rules", size="4"),
                rx.spacer(),
                rx.select(S.types, value=S.device_type, on_change=S.choose_type, id="rule-type"),
                align="center",
                width="100%",
            ),
            record_table(
                ["Alarm", "Limit", "Clears at", "Minutes", "Priority", "Numbers", ""],
                S.rules,
                _row,
                "No rules for this device type.",
                "alarm-rules",
                size="1",
            ),
            _dialog(),
            spacing="3",
            width="100%",
            id="alarm-rules-card",
        ),
    )
