"""The lab's message store: a paged, filtered list (/lab/messages) and one message laid out
segment by segment with each field named (/lab/messages/[message_id])."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from state.lab_messages import LabMessagesState, LabMessageState

L = LabMessagesState
M = LabMessageState
STATE_SCHEMES = {"received": "gray", "processed": "green", "error": "red"}
ACK_SCHEMES = {"AA": "green", "AE": "orange", "AR": "red"}


def _badge(value, schemes: dict[str, str]) -> rx.Component:
    return rx.badge(value, color_scheme=rx.match(value, *schemes.items(), "gray"), variant="soft")


def _row(m) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m["at"]),
        rx.table.cell(rx.link(m["controlId"], href="/lab/messages/" + m["id"])),
        rx.table.cell(m["channel"]),
        rx.table.cell(m["type"]),
        rx.table.cell(_badge(m["state"], STATE_SCHEMES)),
        rx.table.cell(_badge(m["ack"], ACK_SCHEMES)),
        rx.table.cell(m["results"]),
        rx.table.cell(rx.text(m["error"], size="1")),
        class_name="message-row",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(min_width="180px", id="filter-channel"),
            rx.select.content(
                rx.foreach(L.channels, lambda c: rx.select.item(c["name"], value=c["id"]))
            ),
            value=L.channel,
            on_change=L.set_channel,
        ),
        rx.select.root(
            rx.select.trigger(min_width="130px", id="filter-state"),
            rx.select.content(
                rx.foreach(L.states, lambda s: rx.select.item(s["label"], value=s["value"]))
            ),
            value=L.state,
            on_change=L.set_state,
        ),
        rx.input(
            placeholder="Control id (MSH-10)",
            value=L.control_id,
            on_change=L.set_control_id,
            id="filter-control",
        ),
        rx.input(type="date", value=L.day, on_change=L.set_day, id="filter-day"),
        rx.button("Search", on_click=L.apply, id="filter-apply"),
        rx.button("Clear", variant="soft", color_scheme="gray", on_click=L.clear),
        gap="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


def lab_messages_page() -> rx.Component:
    pager = rx.hstack(
        rx.button("Newer", variant="soft", size="1", on_click=L.page(-1), disabled=L.offset == 0),
        rx.text("From #", (L.offset + 1).to_string(), size="1", color_scheme="gray"),
        rx.button(
            "Older",
            variant="soft",
            size="1",
            on_click=L.page(1),
            disabled=rx.cond(L.has_more, False, True),
        ),
        justify="end",
        width="100%",
        align="center",
    )
    return layout(
        "Lab messages",
        rx.vstack(
            _filters(),
            record_table(
                [
                    "Received",
                    "Control id",
                    "Channel",
                    "Type",
                    "State",
                    "ACK sent",
                    "Results",
                    "Error",
                ],
                L.rows,
                _row,
                "No message matches. Clear the filters, or check the analyzer is sending.",
                "message-list",
                size="1",
            ),
            pager,
            spacing="3",
            width="100%",
        ),
        "Every message the analyzers sent, as stored before it was acknowledged.",
    )


def _fact(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium"),
        spacing="0",
    )


def _field_row(f) -> rx.Component:
    return rx.cond(
        f["kind"] == "segment",
        rx.table.row(
            rx.table.cell(rx.text(f["position"], weight="bold")),
            rx.table.cell(rx.text(f["name"], weight="bold"), col_span=2),
            style={"background": "var(--gray-3)"},
            class_name="segment-row",
        ),
        rx.table.row(
            rx.table.cell(rx.code(f["position"], size="1")),
            rx.table.cell(f["name"]),
            rx.table.cell(rx.text(f["value"], size="2", style={"word_break": "break-all"})),
            class_name="field-row",
        ),
    )


def _facts() -> rx.Component:
    i = M.info
    return rx.grid(
        _fact("Control id", i["controlId"]),
        _fact("Type", i["messageType"]),
        _fact("Version", i["version"]),
        _fact("Channel", rx.cond(i["channel"] != "", i["channel"], "no channel yet")),
        _fact("Sender", i["sender"]),
        rx.vstack(
            rx.text("State", size="1", color_scheme="gray"),
            _badge(i["state"], STATE_SCHEMES),
            spacing="0",
        ),
        rx.vstack(
            rx.text("ACK sent", size="1", color_scheme="gray"),
            _badge(i["ackSent"], ACK_SCHEMES),
            spacing="0",
        ),
        _fact("Results stored", rx.cond(i["resultCount"] != "", i["resultCount"], "—")),
        _fact("Received", i["receivedAt"]),
        _fact("Processed", i["processedAt"]),
        _fact("Attempts", i["attempts"]),
        _fact("Duplicates", i["duplicates"]),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
        id="message-facts",
    )


def _message() -> rx.Component:
    i = M.info
    return rx.vstack(
        rx.hstack(
            rx.link("← Messages", href="/lab/messages", size="2"),
            rx.spacer(),
            rx.button("Refresh", variant="soft", size="2", on_click=M.reload),
            rx.button("Reprocess", size="2", on_click=M.reprocess, id="reprocess"),
            width="100%",
            align="center",
        ),
        rx.card(_facts(), width="100%"),
        rx.cond(
            i["error"] != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert")),
                rx.callout.text(i["error"]),
                color_scheme="red",
                id="message-error",
            ),
        ),
        record_table(
            ["Field", "Name", "Value"],
            M.fields,
            _field_row,
            "Empty message",
            "message-fields",
            size="1",
        ),
        rx.el.details(
            rx.el.summary("Raw message"),
            rx.el.pre(
                M.raw, style={"white_space": "pre-wrap", "font_size": "12px"}, id="raw-message"
            ),
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def lab_message_page() -> rx.Component:
    return layout(
        "Lab message",
        rx.cond(
            M.missing,
            rx.callout.root(
                rx.callout.icon(rx.icon("info")),
                rx.callout.text("No such message in your laboratory."),
                color_scheme="gray",
            ),
            _message(),
        ),
        "One stored message, each segment and field named.",
    )
