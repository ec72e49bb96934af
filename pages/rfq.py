"""RFQ pages: the list (a buyer's RFQs, an OEM's inbox) and the new-RFQ form; one RFQ is
pages/rfq_detail.py."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from state.rfq import RfqListState, RfqNewState

STATUS_COLOURS = (
    ("draft", "gray"),
    ("open", "blue"),
    ("negotiating", "orange"),
    ("awarded", "green"),
    ("closed", "gray"),
    ("expired", "red"),
    ("cancelled", "gray"),
    "gray",
)


def status_badge(value, **props) -> rx.Component:
    return rx.badge(value, variant="soft", color_scheme=rx.match(value, *STATUS_COLOURS), **props)


def _rfq_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["number"], href=row["href"])),
        rx.table.cell(row["title"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["buyer"]),
        rx.table.cell(row["requiredBy"]),
        rx.table.cell(row["expires"]),
    )


def rfq_list_page() -> rx.Component:
    s = RfqListState
    table = record_table(
        ["RFQ", "Title", "Status", "Buyer", "Required by", "Closes (IST)"],
        s.rows,
        _rfq_row,
        rx.cond(
            s.is_oem,
            "No RFQ has been sent to you yet. Buyers reach you through the SKUs in your catalog.",
            "No RFQs yet. Raise one to get quotes from OEMs.",
        ),
        "rfq-table",
    )
    body = rx.vstack(
        rx.hstack(
            rx.select(
                [
                    "all",
                    "draft",
                    "open",
                    "negotiating",
                    "awarded",
                    "closed",
                    "expired",
                    "cancelled",
                ],
                value=s.status,
                on_change=s.set_status,
                id="rfq-status",
            ),
            rx.cond(
                ~s.is_oem,
                rx.link(
                    rx.button(rx.icon("file-plus", size=14), "New RFQ", id="new-rfq"),
                    href="/rfqs/new",
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        table,
        rx.cond(s.has_more, rx.button("Show more", variant="soft", on_click=s.more, id="rfq-more")),
        spacing="3",
        width="100%",
    )
    return layout(rx.cond(s.is_oem, "RFQs for us", "RFQs"), body)


def _sku_hit(sku) -> rx.Component:
    return rx.hstack(
        rx.text(sku["code"], weight="bold", size="2"),
        rx.text(sku["name"], size="2"),
        rx.text(sku["oem"] + " · " + sku["price"], size="1", color_scheme="gray"),
        rx.spacer(),
        rx.button("Add", size="1", variant="soft", on_click=RfqNewState.add_line(sku)),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _line(line) -> rx.Component:
    return rx.hstack(
        rx.text(line["code"], weight="bold", size="2"),
        rx.text(line["name"], size="2"),
        rx.spacer(),
        rx.input(
            value=line["qty"],
            type="number",
            min=1,
            width="90px",
            aria_label="Quantity",
            on_change=lambda v: RfqNewState.set_qty(line["id"], v),
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            aria_label="Remove",
            on_click=RfqNewState.remove_line(line["id"]),
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _field(label: str, name: str, value, kind: str = "text", **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            value=value,
            type=kind,
            id=f"rfq-{name}",
            on_change=lambda v: RfqNewState.set_field(name, v),
            **props,
        ),
        spacing="1",
        min_width="200px",
        flex="1",
    )


def rfq_new_page() -> rx.Component:
    s = RfqNewState
    picker = rx.card(
        rx.vstack(
            rx.heading("What do you need?", size="4"),
            rx.input(
                placeholder="Search SKUs by name or code",
                value=s.sku_query,
                on_change=s.search.debounce(300),
                width="100%",
                id="sku-search",
            ),
            rx.foreach(s.sku_results, _sku_hit),
            rx.cond(
                s.lines.length() > 0,
                rx.vstack(rx.foreach(s.lines, _line), width="100%"),
                rx.text("Add at least one SKU.", size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
    oems = rx.vstack(
        rx.radio(
            ["all", "chosen"],
            value=rx.cond(s.send_to_all, "all", "chosen"),
            on_change=s.set_send_to_all,
            direction="row",
            id="rfq-send-to",
        ),
        rx.text(
            rx.cond(
                s.send_to_all,
                "Every OEM that sells one of these SKUs gets it.",
                "Only the OEMs ticked below get it.",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            ~s.send_to_all,
            rx.flex(
                rx.foreach(
                    s.oems,
                    lambda o: rx.checkbox(
                        o["name"],
                        checked=s.chosen.contains(o["id"]),
                        on_change=lambda checked: s.toggle_oem(o["id"], checked),
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
        ),
        spacing="2",
    )
    terms = rx.card(
        rx.vstack(
            _field("Title (optional)", "title", s.title, width="100%"),
            rx.flex(
                _field("Delivery pincode", "pincode", s.pincode, max_length=6),
                _field("Required by", "required_by", s.required_by, "date"),
                _field("Quotes close (IST)", "expires_on", s.expires_on, "datetime-local"),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.text("Terms", size="2", weight="medium"),
            rx.text_area(
                value=s.terms,
                on_change=lambda v: s.set_field("terms", v),
                placeholder="Installation, training, payment terms...",
                width="100%",
                id="rfq-terms",
            ),
            rx.text("Send to", size="2", weight="medium"),
            oems,
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
    actions = rx.hstack(
        rx.button("Send to OEMs", on_click=s.submit(True), id="rfq-send"),
        rx.button("Save as draft", variant="soft", on_click=s.submit(False), id="rfq-draft"),
        spacing="3",
    )
    return layout(
        "New RFQ", rx.vstack(picker, terms, actions, spacing="4", width="100%", max_width="960px")
    )
