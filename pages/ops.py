"""The control room: live ticket board, SLA clocks, breach alarm and KPIs."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import record_table
from pages.components.layout import layout
from pages.components.map_frame import map_frame
from pages.field_desk import field_desk
from state.field_desk import FieldDeskState
from state.ops import STATUS_CHOICES, OpsState

PRIORITY_SCHEMES = {"P1": "red", "P2": "orange", "P3": "blue", "P4": "gray"}


def _row(t) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#" + t["number"], href="/tickets/" + t["ticketId"])),
        rx.table.cell(
            rx.badge(
                t["priority"],
                color_scheme=rx.match(t["priority"], *PRIORITY_SCHEMES.items(), "gray"),
                variant="solid",
            )
        ),
        rx.table.cell(
            rx.badge(t["status"].replace("_", " "), variant="soft"), class_name="ticket-status"
        ),
        rx.table.cell(_clock(t["due"])),
        rx.table.cell(t["facility"]),
        rx.table.cell(t["city"]),
        rx.table.cell(t["serial"]),
        rx.table.cell(t["errorCode"]),
        rx.table.cell(t["partner"]),
        id="ticket-" + t["number"],
    )


def _clock(due) -> rx.Component:
    """Time left to the SLA deadline, counted down in the browser by assets/sla_clock.js
    (the element carries the deadline and no text of React's, so the script owns it)."""
    return rx.cond(
        due == "",
        rx.text("paused", color="var(--gray-11)"),
        rx.el.span(
            data_deadline=due,
            class_name="sla-clock",
            style={"fontFamily": "monospace", "fontWeight": "bold"},
        ),
    )


def _kpi(label: str, value) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="6"), spacing="1"
        ),
        width="100%",
    )


def _select(items, value, on_change, label: str, id_: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=label, id=id_),
        rx.select.content(
            rx.select.item(f"All {label}", value="all"),
            rx.foreach(items, lambda i: rx.select.item(i, value=i)),
        ),
        value=value,
        on_change=on_change,
    )


def ops_page() -> rx.Component:
    s = OpsState
    alarm = rx.cond(
        s.breached_open > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("siren")),
            rx.callout.text(
                rx.text.strong(
                    s.breached_open.to_string()
                    + rx.cond(
                        s.breached_open == 1,
                        " open ticket has breached its SLA.",
                        " open tickets have breached their SLA.",
                    )
                ),
                " Escalations are running.",
            ),
            color_scheme="red",
            variant="surface",
            size="3",
            id="breach-alarm",
        ),
    )
    filters = rx.flex(
        _select(["P1", "P2", "P3", "P4"], s.priority, s.set_priority, "priorities", "f-priority"),
        _select(STATUS_CHOICES, s.status, s.set_status, "statuses", "f-status"),
        _select(s.cities, s.city, s.set_city, "cities", "f-city"),
        _select(s.partners, s.partner, s.set_partner, "partners", "f-partner"),
        rx.spacer(),
        rx.badge(
            rx.cond(s.live, "live", "connecting…"),
            color_scheme=rx.cond(s.live, "green", "gray"),
            id="live-badge",
        ),
        spacing="2",
        wrap="wrap",
        width="100%",
        align="center",
    )
    kpis = rx.grid(
        _kpi("SLA compliance (30 days)", s.compliance),
        _kpi("Breaches today", s.breaches_today.to_string()),
        _kpi("Penalties this month", s.penalties_month),
        _kpi("Open with breach", s.breached_open.to_string()),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )
    charts = rx.grid(
        rx.card(rx.plotly(data=s.open_by_priority, use_resize_handler=True, width="100%")),
        rx.card(rx.plotly(data=s.mttr, use_resize_handler=True, width="100%")),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )
    board = record_table(
        [
            "Ticket",
            "Priority",
            "Status",
            "SLA clock",
            "Facility",
            "City",
            "Device",
            "Error",
            "Partner",
        ],
        s.rows,
        _row,
        "No open tickets match. New tickets appear here the moment they are opened.",
        "ticket-board",
        size="1",
        max_height="70vh",
    )
    switch = rx.segmented_control.root(
        rx.segmented_control.item(
            rx.hstack(rx.icon("list", size=14), "Board", spacing="1", align="center"), value="board"
        ),
        rx.segmented_control.item(
            rx.hstack(rx.icon("map", size=14), "Map", spacing="1", align="center"), value="map"
        ),
        rx.segmented_control.item(
            rx.hstack(rx.icon("smartphone", size=14), "Field", spacing="1", align="center"),
            value="field",
        ),
        value=s.show,
        on_change=[s.set_show, FieldDeskState.show],
        id="ops-view",
    )
    field = rx.vstack(
        map_frame(
            src_doc=s.field_html,
            width="100%",
            height="520px",
            id="field-map",
            title="Open tickets, technicians and hubs",
            style={"border": "1px solid var(--gray-a5)", "borderRadius": "8px"},
        ),
        rx.hstack(
            rx.text(
                "Open tickets by priority, ringed red when late and amber when at "
                "risk; technicians where last seen; routes of the latest plan.",
                size="2",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.link("Plan routes in Dispatch →", href="/dispatch", size="2"),
            width="100%",
            align="center",
        ),
        width="100%",
        spacing="2",
    )
    clocks = rx.script(src="/sla_clock.js")
    return layout(
        "Ops console",
        rx.vstack(
            clocks,
            alarm,
            kpis,
            rx.hstack(switch, width="100%"),
            filters,
            rx.match(s.show, ("map", field), ("field", field_desk()), board),
            charts,
            spacing="4",
            width="100%",
        ),
        "Every open ticket and its SLA clock, live.",
    )
