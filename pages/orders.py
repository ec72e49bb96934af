"""Orders: fulfilment from confirmed to installed, with the PO, for buyers and OEMs."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from pages.order_forms import cancel_button, delivery_form, installation_form, records, ship_form
from state.orders import STEPS, OrdersState

STATUS_COLOURS = {
    "confirmed": "blue",
    "shipped": "amber",
    "delivered": "teal",
    "installed": "green",
    "cancelled": "red",
}


def _badge(status) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLOURS.items()], "gray"),
        class_name="order-status",
    )


def _row(o) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(o.number, on_click=OrdersState.select(o.id), cursor="pointer")),
        rx.table.cell(_badge(o.status)),
        rx.table.cell(o.counterpart),
        rx.table.cell(o.summary),
        rx.table.cell(o.total),
        rx.table.cell(o.updated),
        id="order-" + o.number,
        background=rx.cond(o.id == OrdersState.selected, "var(--teal-2)", "transparent"),
    )


def _stepper(o) -> rx.Component:
    return rx.hstack(
        *[
            rx.hstack(
                rx.cond(
                    o.step >= i,
                    rx.icon("circle-check", size=18, color="var(--teal-9)"),
                    rx.icon("circle", size=18, color="var(--gray-8)"),
                ),
                rx.text(step, size="2", weight=rx.cond(o.step == i, "bold", "regular")),
                spacing="1",
                align="center",
            )
            for i, step in enumerate(STEPS)
        ],
        spacing="4",
        wrap="wrap",
    )


def _detail(o) -> rx.Component:
    ship = o.actions.contains("shipped")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(o.number, size="4"),
                _badge(o.status),
                rx.spacer(),
                rx.link(
                    rx.button(
                        rx.icon("file-text", size=14), "Purchase order ", o.po, variant="soft"
                    ),
                    href="/api/v1/purchase-orders/" + o.po_id + ".pdf",
                    is_external=True,
                ),
                width="100%",
                align="center",
            ),
            _stepper(o),
            rx.cond(
                o.ship_to != "",
                rx.hstack(
                    rx.icon("map-pin", size=16),
                    rx.text("Ship to ", rx.text.strong(o.ship_to), size="2"),
                    align="center",
                    id="ship-to",
                ),
            ),
            rx.cond(
                o.required_by != "",
                rx.hstack(
                    rx.icon("calendar-clock", size=16),
                    rx.text("Required by ", rx.text.strong(o.required_by), " · ", o.lead, size="2"),
                    rx.cond(o.late != "", rx.badge(o.late, color_scheme="red", id="lead-late")),
                    align="center",
                    wrap="wrap",
                    id="lead-time",
                ),
            ),
            rx.text(
                "With ",
                o.counterpart,
                " · contract ",
                o.contract,
                " · ",
                o.sla,
                " service tier · ",
                o.total,
                size="2",
                color_scheme="gray",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("SKU", "Product", "Qty", "Serial numbers")
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        o.lines,
                        lambda li: rx.table.row(
                            rx.table.cell(li.code),
                            rx.table.cell(li.name),
                            rx.table.cell(li.qty),
                            rx.table.cell(
                                rx.cond(
                                    ship,
                                    rx.input(
                                        placeholder="one serial per unit, comma separated",
                                        on_change=lambda v: OrdersState.set_serials(li.code, v),
                                        class_name="serials-input",
                                        width="100%",
                                    ),
                                    rx.text(li.serials, size="2"),
                                )
                            ),
                        ),
                    )
                ),
                variant="surface",
                width="100%",
            ),
            records(o),
            rx.cond(o.actions.contains("shipped"), ship_form()),
            rx.cond(o.actions.contains("delivered"), delivery_form()),
            rx.cond(o.actions.contains("installed"), installation_form()),
            rx.cond(o.actions.contains("cancelled"), cancel_button()),
            rx.vstack(
                rx.text("Timeline", weight="bold", size="2"),
                rx.foreach(o.timeline, lambda t: rx.text(t, size="2")),
                spacing="1",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def orders_page() -> rx.Component:
    s = OrdersState
    table = rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Order", "Status", "With", "Lines", "Total", "Updated")
                    ]
                )
            ),
            rx.table.body(rx.foreach(s.orders, _row)),
            variant="surface",
            width="100%",
            id="order-table",
        ),
        overflow_x="auto",
        width="100%",
    )
    live = rx.hstack(
        rx.cond(
            s.live,
            rx.badge(rx.icon("radio", size=12), "Live", color_scheme="green", id="orders-live"),
            rx.badge("Connecting…", color_scheme="gray"),
        ),
        rx.cond(
            s.last_change != "",
            rx.text("Last change ", s.last_change, size="1", color_scheme="gray"),
        ),
        align="center",
    )
    return layout(
        "Orders",
        rx.cond(
            s.orders.length() > 0,
            rx.vstack(
                live,
                table,
                rx.foreach(s.orders, lambda o: rx.cond(o.id == s.selected, _detail(o))),
                spacing="4",
                width="100%",
            ),
            rx.callout.root(
                rx.callout.icon(rx.icon("info")),
                rx.callout.text("No orders yet. Awarding an RFQ to a quote places one."),
                color_scheme="gray",
            ),
        ),
        "Awarded purchases from confirmation to installation.",
    )
