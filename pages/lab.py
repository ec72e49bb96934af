"""The lab console (/lab): results as they arrive, critical values to acknowledge (with a
sound), the verification queue, each analyzer's status and the error queue."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from pages.lab_senders import adopt_dialog, unknown_senders
from state.lab import LabState

S = LabState
STATUS_SCHEMES = {
    "receiving": "green",
    "no message yet": "gray",
    "silent": "red",
    "faults": "orange",
}
REVIEW = {
    "auto": ("auto-verified", "green"),
    "pending": ("to verify", "orange"),
    "released": ("released", "blue"),
    "new": ("new", "gray"),
}


def _kpi(label: str, value, id_: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.heading(value, size="6", id=id_),
            spacing="1",
        ),
        width="100%",
    )


def _review(value) -> rx.Component:
    return rx.badge(
        rx.match(value, *[(k, v[0]) for k, v in REVIEW.items()], value),
        color_scheme=rx.match(value, *[(k, v[1]) for k, v in REVIEW.items()], "gray"),
        variant="soft",
    )


def _patient(r) -> rx.Component:
    return rx.vstack(
        rx.text(r["patient"], weight="medium", size="2"),
        rx.text(r["patientName"], size="1", color_scheme="gray"),
        spacing="0",
    )


def _value(r) -> rx.Component:
    return rx.hstack(
        rx.text(r["value_units"], weight="bold"),
        rx.cond(r["flag"] != "", rx.badge(r["flag"], color_scheme="orange", variant="solid")),
        spacing="2",
        align="center",
    )


def _result_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["at"]),
        rx.table.cell(_patient(r)),
        rx.table.cell(r["test"]),
        rx.table.cell(_value(r)),
        rx.table.cell(r["range"]),
        rx.table.cell(r["analyzer"]),
        rx.table.cell(_review(r["review"])),
        class_name=rx.cond(r["critical"] == "yes", "lab-result critical", "lab-result"),
        style=rx.cond(r["critical"] == "yes", {"background": "var(--red-3)"}, {}),
        id="result-" + r["id"],
    )


def _queue_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_patient(r)),
        rx.table.cell(r["test"]),
        rx.table.cell(_value(r)),
        rx.table.cell(r["range"]),
        rx.table.cell(rx.text(r["reasons"], size="1")),
        rx.table.cell(
            rx.button("Release", size="1", on_click=S.release(r["id"]), id="release-" + r["id"])
        ),
        class_name="queue-row",
    )


def _critical(c) -> rx.Component:
    return rx.flex(
        rx.icon("siren", color="var(--red-11)", size=22, flex_shrink="0"),
        rx.vstack(
            rx.text(
                rx.text.strong(c["test"], " ", c["value"], " ", c["units"]),
                " (critical ",
                c["limit"],
                ") · ",
                c["patient"],
                " ",
                c["patientName"],
                color="var(--red-11)",
            ),
            rx.text(c["analyzer"], " · found ", c["at"], size="1", color="var(--red-11)"),
            spacing="0",
            flex="1",
            min_width="200px",
        ),
        rx.button(
            "Acknowledge", color_scheme="red", on_click=S.open_ack(c["id"]), id="ack-" + c["id"]
        ),
        width="100%",
        align="center",
        gap="3",
        wrap="wrap",
        padding="12px 16px",
        border="1px solid var(--red-6)",
        border_radius="8px",
        background="var(--red-2)",
        class_name="critical-value",
    )


def _ack_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Acknowledge a critical value"),
            rx.dialog.description(S.ack_what, size="2"),
            rx.vstack(
                rx.text("Whom did you inform?", size="2", weight="medium"),
                rx.input(
                    placeholder="e.g. Dr Mehta, ward 4 (phone)",
                    value=S.ack_informed,
                    on_change=S.set_ack_informed,
                    id="ack-informed",
                    width="100%",
                ),
                rx.text("Note (optional)", size="2", weight="medium"),
                rx.text_area(
                    value=S.ack_note, on_change=S.set_ack_note, id="ack-note", width="100%"
                ),
                rx.hstack(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.close_ack),
                    rx.button(
                        "Acknowledge",
                        color_scheme="red",
                        on_click=S.acknowledge,
                        disabled=S.ack_informed.strip() == "",
                        id="ack-confirm",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="2",
                margin_top="12px",
            ),
        ),
        open=S.ack_id != "",
        on_open_change=lambda _open: S.close_ack(),
    )


def _analyzer(a) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(a["name"], weight="medium")),
        rx.table.cell(
            rx.badge(
                a["state"],
                variant="solid",
                color_scheme=rx.match(a["state"], *STATUS_SCHEMES.items(), "gray"),
            )
        ),
        rx.table.cell(a["results"]),
        rx.table.cell(a["messages"]),
        rx.table.cell(a["errors"]),
        rx.table.cell(a["last"]),
        rx.table.cell(
            rx.cond(
                a["ticketId"] != "",
                rx.link("#" + a["ticketNumber"], href="/tickets/" + a["ticketId"]),
                "",
            )
        ),
        id="analyzer-" + a["id"],
    )


def _error(e) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["at"]),
        rx.table.cell(e["channel"]),
        rx.table.cell(rx.link(e["controlId"], href="/lab/messages/" + e["id"])),
        rx.table.cell(e["type"]),
        rx.table.cell(rx.text(e["error"], size="1")),
        rx.table.cell(
            rx.button("Reprocess", size="1", variant="soft", on_click=S.reprocess(e["id"]))
        ),
    )


def _section(title: str, icon: str, body: rx.Component, *extra) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=16),
                rx.heading(title, size="4"),
                rx.spacer(),
                *extra,
                align="center",
                width="100%",
            ),
            body,
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def lab_page() -> rx.Component:
    kpis = rx.grid(
        _kpi("Results today", S.results_today.to_string(), "kpi-today"),
        _kpi("Auto-verified today", S.auto_today.to_string(), "kpi-auto"),
        _kpi("Released by staff today", S.released_today.to_string(), "kpi-released"),
        _kpi("Waiting for verification", S.pending.to_string(), "kpi-pending"),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )
    criticals = rx.cond(
        S.criticals.length() > 0,
        rx.vstack(
            rx.foreach(S.criticals, _critical), width="100%", spacing="2", id="critical-values"
        ),
    )
    alarm = rx.cond(
        S.alarms > 0,
        rx.el.audio(src="/lab/alarm.wav", auto_play=True, key=S.alarms.to_string()),
    )
    results = record_table(
        ["Time", "Patient", "Test", "Value", "Reference", "Analyzer", "Verification"],
        S.results,
        _result_row,
        "No results yet. They appear here the moment an analyzer sends them.",
        "lab-results",
        size="1",
    )
    queue = record_table(
        ["Patient", "Test", "Value", "Reference", "Held because", ""],
        S.queue,
        _queue_row,
        "Nothing to verify: every result so far met the auto-verification rules.",
        "verification-queue",
        size="1",
    )
    analyzers = record_table(
        [
            "Analyzer",
            "Status",
            "Results (1 h)",
            "Messages (1 h)",
            "Errors (1 h)",
            "Last message",
            "Service ticket",
        ],
        S.analyzers,
        _analyzer,
        "No analyzer is connected yet: ask your admin to add a channel for each analyzer.",
        "analyzers",
        size="1",
    )
    errors = record_table(
        ["Received", "Channel", "Control id", "Type", "Error", ""],
        S.errors,
        _error,
        "No message waits in the error queue.",
        "error-queue",
        size="1",
    )
    live = rx.badge(
        rx.cond(S.live, "live", "connecting…"),
        color_scheme=rx.cond(S.live, "green", "gray"),
        id="live-badge",
    )
    release_all = rx.button(
        "Release all non-critical",
        size="1",
        variant="soft",
        on_click=S.release_all,
        disabled=S.queue.length() == 0,
    )
    return layout(
        "Lab console",
        rx.vstack(
            rx.el.div(id="critical-alarm", data_alarms=S.alarms.to_string()),
            alarm,
            criticals,
            _ack_dialog(),
            kpis,
            _section("Results", "flask-conical", results, live),
            _section("Verification queue", "list-checks", queue, release_all),
            _section(
                "Analyzers",
                "activity",
                analyzers,
                rx.link("Watch settings and consents", href="/lab/settings", size="2"),
            ),
            _section(
                "Error queue",
                "triangle-alert",
                rx.vstack(unknown_senders(), errors, spacing="3", width="100%"),
                rx.link("All messages", href="/lab/messages", size="2"),
            ),
            adopt_dialog(),
            spacing="4",
            width="100%",
        ),
        "Results as analyzers send them, verified by rule or by you.",
    )
