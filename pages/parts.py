"""Parts: stock per hub against reorder points (low lines highlighted), the forms that
receive, transfer and adjust stock or set a reorder point, and recent movements."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from state.parts import PartsState

S = PartsState


def _hub_select(name: str, placeholder: str, id_: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, id=id_, width="100%"),
        rx.select.content(rx.foreach(S.hubs, lambda h: rx.select.item(h["name"], value=h["id"]))),
        name=name,
        required=True,
    )


def _part_select(id_: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Part", id=id_, width="100%"),
        rx.select.content(
            rx.foreach(
                S.parts, lambda p: rx.select.item(p["code"] + " · " + p["name"], value=p["code"])
            )
        ),
        name="part",
        required=True,
    )


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def _input(name: str, **props) -> rx.Component:
    return rx.input(name=name, width="100%", **props)


def _form(fields: list[rx.Component], button: str, handler, id_: str) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                *fields, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"
            ),
            rx.button(button, type="submit", id=id_ + "-submit"),
            spacing="3",
            align="start",
        ),
        on_submit=handler,
        reset_on_submit=True,
        id=id_,
    )


def _forms() -> rx.Component:
    number = {"type": "text", "input_mode": "numeric", "required": True}
    receive = _form(
        [
            _field("Hub", _hub_select("hub", "Receiving hub", "receive-hub")),
            _field("Part", _part_select("receive-part")),
            _field("Quantity", _input("qty", id="receive-qty", **number)),
            _field("Delivery note", _input("reference", placeholder="DN-2026-0412")),
            _field("Batch", _input("batch", placeholder="Optional")),
            _field("Serial numbers", _input("serials", placeholder="Comma separated")),
        ],
        "Receive",
        S.receive,
        "receive-form",
    )
    transfer = _form(
        [
            _field("From hub", _hub_select("from", "Sending hub", "transfer-from")),
            _field("To hub", _hub_select("to", "Receiving hub", "transfer-to")),
            _field("Part", _part_select("transfer-part")),
            _field("Quantity", _input("qty", **number)),
            _field("Note", _input("note", placeholder="Optional")),
        ],
        "Transfer",
        S.transfer,
        "transfer-form",
    )
    adjust = _form(
        [
            _field("Hub", _hub_select("hub", "Hub", "adjust-hub")),
            _field("Part", _part_select("adjust-part")),
            _field("Change", _input("change", placeholder="-2 or 3", **number)),
            _field("Reason", _input("reason", required=True, placeholder="Stock take")),
        ],
        "Adjust",
        S.adjust,
        "adjust-form",
    )
    reorder = _form(
        [
            _field("Hub", _hub_select("hub", "Hub", "reorder-hub")),
            _field("Part", _part_select("reorder-part")),
            _field("Reorder at (free units)", _input("point", **number)),
        ],
        "Set reorder point",
        S.set_reorder,
        "reorder-form",
    )
    tabs = [("receive", "Receive", receive), ("transfer", "Transfer", transfer)]
    tabs += [("adjust", "Adjust", adjust), ("reorder", "Reorder point", reorder)]
    return rx.card(
        rx.tabs.root(
            rx.tabs.list(*[rx.tabs.trigger(t, value=v, id="tab-" + v) for v, t, _f in tabs]),
            *[rx.tabs.content(rx.box(f, padding_top="12px"), value=v) for v, _t, f in tabs],
            default_value="receive",
        ),
        width="100%",
    )


def _low_item(row) -> rx.Component:
    return rx.text(
        rx.text(row["code"], weight="bold", as_="span"),
        " at " + row["hub"] + ": " + row["free"] + " free, reorders at " + row["reorder"],
        size="2",
    )


def _alert() -> rx.Component:
    return rx.cond(
        S.low_lines.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.vstack(
                rx.text(
                    S.low_lines.length().to_string() + " low: receive or transfer stock to restock",
                    weight="bold",
                    size="2",
                ),
                rx.foreach(S.low_lines, _low_item),
                spacing="1",
            ),
            color_scheme="orange",
            id="low-stock-alert",
            width="100%",
        ),
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check")),
            rx.callout.text("No part is at or below its reorder point."),
            color_scheme="green",
            id="stock-ok",
            width="100%",
        ),
    )


def _stock_row(row) -> rx.Component:
    low = row["low"] == "low"
    return rx.table.row(
        rx.table.cell(row["hub"]),
        rx.table.cell(
            rx.text(row["code"], weight="medium"),
            rx.text(row["name"], size="1", color_scheme="gray"),
        ),
        rx.table.cell(row["onHand"]),
        rx.table.cell(row["reserved"]),
        rx.table.cell(
            rx.text(
                row["free"],
                weight="bold",
                color_scheme=rx.cond(low, "red", "gray"),
                high_contrast=~low,
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.text(rx.cond(row["reorder"] == "", "—", row["reorder"])),
                rx.cond(low, rx.badge("Low", color_scheme="red")),
                spacing="2",
            )
        ),
        background=rx.cond(low, "var(--red-a2)", "transparent"),
        class_name=rx.cond(low, "stock-line low", "stock-line"),
    )


def _movement_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"], white_space="nowrap"),
        rx.table.cell(row["what"]),
        rx.table.cell(row["code"]),
        rx.table.cell(row["hub"]),
        rx.table.cell(rx.text(row["change"], weight="bold")),
        rx.table.cell(row["after"]),
        rx.table.cell(rx.text(row["detail"], size="1")),
        rx.table.cell(rx.text(row["by"], size="1", color_scheme="gray")),
    )


def parts_page() -> rx.Component:
    filter_ = rx.hstack(
        rx.text("Hub", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(id="hub-filter", min_width="220px"),
            rx.select.content(
                rx.select.item("All hubs", value="all"),
                rx.foreach(S.hubs, lambda h: rx.select.item(h["name"], value=h["id"])),
            ),
            value=S.hub_filter,
            on_change=S.filter_hub,
        ),
        align="center",
        spacing="3",
    )
    stock = record_table(
        ["Hub", "Part", "On hand", "Reserved", "Free", "Reorder at"],
        S.lines,
        _stock_row,
        "No stock at your hubs yet: receive a delivery above to start.",
        "stock-table",
    )
    moves = record_table(
        ["When", "What", "Part", "Hub", "Change", "On hand after", "Details", "By"],
        S.movements,
        _movement_row,
        "No movements yet: receipts, transfers, adjustments and parts used on jobs show here.",
        "movement-table",
        size="1",
    )
    return layout(
        "Parts",
        rx.vstack(
            _alert(),
            _forms(),
            rx.hstack(
                rx.heading("Stock", size="4"), rx.spacer(), filter_, width="100%", wrap="wrap"
            ),
            stock,
            rx.heading("Recent movements", size="4"),
            moves,
            spacing="4",
            width="100%",
        ),
        "Stock at your hubs against reorder points; receive, move and adjust it.",
    )
