"""The ops console's field view: technicians' last position and sync, arrivals at devices,
parts requests from site and sync conflicts the dispatcher answers."""

from __future__ import annotations

import reflex as rx

from state.field_desk import FieldDeskState

S = FieldDeskState


def _ticket_link(row) -> rx.Component:
    return rx.link("#" + row["number"], href="/tickets/detail?id=" + row["ticket"], weight="bold")


def _card(title: str, icon: str, body: rx.Component, id_: str, note=None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=16), rx.heading(title, size="3"), align="center"),
            body,
            rx.text(note, size="2", color_scheme="gray") if note is not None else rx.fragment(),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=id_,
    )


def _empty(text: str) -> rx.Component:
    return rx.text(text, size="2", color_scheme="gray")


def _conflict(row) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(_ticket_link(row), rx.text(row["what"], weight="medium"), spacing="2"),
            rx.text(
                row["technician"] + " · made offline " + row["made"] + " · " + row["reason"],
                size="2",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Apply now",
            size="1",
            on_click=S.resolve(row["id"], "apply"),
            id="apply-" + row["id"],
        ),
        rx.button(
            "Dismiss",
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=S.resolve(row["id"], "dismiss"),
        ),
        width="100%",
        align="center",
        class_name="sync-conflict",
    )


def field_desk() -> rx.Component:
    conflicts = _card(
        "Sync conflicts",
        "triangle-alert",
        rx.cond(
            S.conflicts.length() > 0,
            rx.vstack(rx.foreach(S.conflicts, _conflict), width="100%", spacing="3"),
            _empty("None: every change made offline fitted the ticket when it arrived."),
        ),
        "sync-conflicts",
    )
    waiting = _card(
        "Waiting for parts",
        "package-search",
        rx.cond(
            S.waiting.length() > 0,
            rx.vstack(
                rx.foreach(
                    S.waiting,
                    lambda w: rx.text(
                        _ticket_link(w),
                        " · ",
                        w["technician"],
                        " · ",
                        w["reason"],
                        " · ",
                        w["at"],
                        size="2",
                    ),
                ),
                spacing="1",
            ),
            _empty("No technician is waiting for parts."),
        ),
        "waiting-parts",
    )
    arrivals = _card(
        "Arrivals (last 24 h)",
        "map-pin-check",
        rx.cond(
            S.arrivals.length() > 0,
            rx.vstack(
                rx.foreach(
                    S.arrivals,
                    lambda a: rx.text(
                        _ticket_link(a),
                        " · ",
                        a["technician"],
                        " · ",
                        a["at"],
                        " · ",
                        a["how"],
                        " ",
                        a["distance"],
                        size="2",
                    ),
                ),
                spacing="1",
            ),
            _empty("No check-in at a device in the last 24 hours."),
        ),
        "arrivals",
    )
    people = _card(
        "Technicians",
        "users",
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Technician"),
                    rx.table.column_header_cell("Last seen"),
                    rx.table.column_header_cell("Position"),
                    rx.table.column_header_cell("Phone last synced"),
                )
            ),
            rx.table.body(
                rx.foreach(
                    S.technicians,
                    lambda t: rx.table.row(
                        rx.table.cell(t["name"]),
                        rx.table.cell(t["seen"]),
                        rx.table.cell(t["where"]),
                        rx.table.cell(t["synced"]),
                    ),
                )
            ),
            size="1",
            width="100%",
        ),
        "technicians-last-seen",
        S.quiet,
    )
    return rx.vstack(
        rx.grid(
            conflicts,
            waiting,
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        arrivals,
        people,
        width="100%",
        spacing="4",
    )
