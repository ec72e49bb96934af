"""The dispatcher's plan: Optimise, watch the search, see the routes, accept."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from pages.components.map_frame import map_frame
from state.dispatch import DispatchState


def _summary(label: str, key: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.heading(DispatchState.summary[key], size="5"),
            spacing="1",
        ),
        min_width="150px",
    )


def _choice(placeholder: str, options, value, on_change, ident: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, id=ident, min_width="260px"),
        rx.select.content(
            rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["value"]))
        ),
        value=value,
        on_change=on_change,
    )


def _override() -> rx.Component:
    """Move one ticket by hand: preview the new ETAs and broken rules, then apply."""
    s = DispatchState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("hand", size=18),
                rx.heading("Change the plan by hand", size="3"),
                rx.cond(
                    s.overrides > 0, rx.badge(s.overrides, " moved by hand", color_scheme="amber")
                ),
                align="center",
                spacing="2",
            ),
            rx.hstack(
                _choice(
                    "Ticket", s.ticket_options, s.move_ticket, s.set_move_ticket, "move-ticket"
                ),
                rx.icon("arrow-right", size=16),
                _choice("Technician", s.tech_options, s.move_tech, s.set_move_tech, "move-tech"),
                rx.button("Preview", on_click=s.preview, variant="soft", id="move-preview"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                s.previewing,
                rx.vstack(
                    rx.cond(
                        s.preview_violations.length() > 0,
                        rx.callout.root(
                            rx.callout.icon(rx.icon("triangle-alert")),
                            rx.vstack(
                                rx.text("This move breaks:", weight="bold", size="2"),
                                rx.foreach(s.preview_violations, lambda v: rx.text(v, size="2")),
                                spacing="1",
                            ),
                            color_scheme="red",
                            id="move-violations",
                            width="100%",
                        ),
                        rx.callout.root(
                            rx.callout.icon(rx.icon("circle-check")),
                            rx.callout.text(
                                "No rule is broken: skills, parts, facility hours, SLA, shift and "
                                "capacity all hold."
                            ),
                            color_scheme="green",
                            id="move-violations",
                            width="100%",
                        ),
                    ),
                    data_table(
                        [
                            ("technician", "Technician"),
                            ("order", "Stop"),
                            ("number", "Ticket"),
                            ("priority", "Priority"),
                            ("eta", "New ETA (IST)"),
                            ("travel", "Travel"),
                            ("late", "SLA"),
                            ("violations", "Breaks"),
                        ],
                        s.preview_stops,
                        "Both routes are empty after this move.",
                        "move-preview-routes",
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("check", size=16),
                            "Apply to the plan",
                            on_click=s.apply,
                            id="move-apply",
                        ),
                        rx.button(
                            "Cancel", on_click=s.cancel_move, variant="soft", color_scheme="gray"
                        ),
                        spacing="2",
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def dispatch_page() -> rx.Component:
    s = DispatchState
    running = (s.status == "queued") | (s.status == "running")
    head = rx.hstack(
        rx.button(
            rx.icon("route", size=16),
            "Optimise",
            on_click=s.optimise,
            loading=running,
            id="optimise",
        ),
        rx.cond(
            s.status == "ready",
            rx.button(
                rx.icon("check", size=16),
                "Accept the plan",
                on_click=s.accept,
                color_scheme="green",
                id="accept-plan",
            ),
        ),
        rx.cond(s.status != "", rx.badge(s.status, size="2", id="plan-status")),
        rx.text(s.step, size="2", color_scheme="gray", id="plan-step"),
        spacing="3",
        align="center",
        wrap="wrap",
    )
    result = rx.vstack(
        rx.flex(
            _summary("Jobs planned", "assigned"),
            _summary("Left out", "unassigned"),
            _summary("Travel (min)", "travelMinutes"),
            _summary("Late P1", "lateP1"),
            _summary("Technicians out", "techniciansUsed"),
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            s.map_html != "",
            map_frame(
                src_doc=s.map_html,
                width="100%",
                height="440px",
                id="dispatch-map",
                title="Routes of the plan",
                style={"border": "1px solid var(--gray-a5)", "borderRadius": "8px"},
            ),
        ),
        rx.cond(s.status == "ready", _override()),
        rx.heading("Routes", size="4"),
        data_table(
            [
                ("technician", "Technician"),
                ("order", "Stop"),
                ("number", "Ticket"),
                ("priority", "Priority"),
                ("device", "Device"),
                ("facility", "Facility"),
                ("eta", "ETA (IST)"),
                ("travel", "Travel"),
                ("late", "SLA"),
                ("violations", "Breaks"),
            ],
            s.stops,
            "No job could be planned; see why below.",
            "plan-routes",
        ),
        rx.heading("Left out", size="4"),
        data_table(
            [
                ("number", "Ticket"),
                ("priority", "Priority"),
                ("device", "Device"),
                ("facility", "Facility"),
                ("reason", "Why"),
            ],
            s.unassigned,
            "Every open ticket has a technician in this plan.",
            "plan-unassigned",
        ),
        spacing="3",
        width="100%",
    )
    return layout(
        "Dispatch",
        rx.vstack(
            head,
            rx.cond(
                running, rx.progress(value=s.percent, max=100, width="100%", id="plan-progress")
            ),
            rx.cond(
                s.summary.contains("assigned"),
                result,
                rx.callout.root(
                    rx.callout.icon(rx.icon("info")),
                    rx.callout.text(
                        rx.cond(
                            running,
                            "Planning: the search keeps the best plan found so far and "
                            "stops at its time limit.",
                            "Press Optimise to plan the open tickets across your technicians: "
                            "skills, shifts, facility hours, SLA deadlines and parts at their hubs.",
                        )
                    ),
                    color_scheme="gray",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Who goes where, in which order, to keep every SLA.",
    )
