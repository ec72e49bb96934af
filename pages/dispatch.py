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


def _freshness() -> rx.Component:
    """When the plan was made and, if anything changed since, that it is stale and what."""
    s = DispatchState
    return rx.cond(
        s.stale,
        rx.callout.root(
            rx.callout.icon(rx.icon("clock-alert")),
            rx.vstack(
                rx.text(
                    "This plan is stale: made ",
                    s.made_at,
                    " IST, and things changed since. Optimise again before relying on it.",
                    weight="bold",
                    size="2",
                ),
                rx.foreach(s.changes, lambda line: rx.text("• ", line, size="2")),
                spacing="1",
            ),
            color_scheme="amber",
            id="plan-stale",
            width="100%",
        ),
    )


def _step(o) -> rx.Component:
    """One next step for a left-out P1: what it does and what it costs, then Apply."""
    s = DispatchState
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.badge(o["number"], color_scheme="red"),
                    rx.text(o["title"], weight="bold", size="2"),
                    spacing="2",
                    align="center",
                ),
                rx.text(o["eta"], rx.cond(o["eta"] != "", " · ", ""), o["late"], size="2"),
                rx.text("What moves: ", o["moves"], size="1", color_scheme="gray"),
                rx.text("Rules: ", o["breaks"], size="1", color_scheme="gray"),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.cond(
                o["done"] != "",
                rx.badge(o["done"], color_scheme="green"),
                rx.button(
                    "Apply",
                    size="2",
                    variant="soft",
                    on_click=s.take_step(o["ticketId"], o["action"], o["technicianId"]),
                    class_name="step-apply",
                    custom_attrs={"data-action": o["action"]},
                ),
            ),
            align="center",
            width="100%",
        ),
        width="100%",
        class_name="next-step",
    )


def _next_steps() -> rx.Component:
    """For each P1 left out or late: why, and the actions open with their consequences."""
    s = DispatchState
    return rx.cond(
        s.step_p1s.length() > 0,
        rx.vstack(
            rx.heading("P1s left out or late: next steps", size="4", color="var(--red-11)"),
            rx.foreach(
                s.step_p1s,
                lambda p: rx.callout.root(
                    rx.callout.icon(rx.icon("siren")),
                    rx.callout.text(rx.text(p["title"], weight="bold"), p["reason"]),
                    color_scheme="red",
                    width="100%",
                ),
            ),
            rx.foreach(s.step_options, _step),
            spacing="2",
            width="100%",
            id="next-steps",
        ),
    )


def _accept_dialog() -> rx.Component:
    """Accepting a plan that does not keep every P1 asks first, naming them."""
    s = DispatchState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Accept with P1s late or left out?"),
            rx.alert_dialog.description(s.p1_risk, id="accept-p1-list"),
            rx.text(
                "Accepting tells the dispatch desk to follow these up; the technicians get "
                "the rest of the plan.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.button(
                    "Keep planning", variant="soft", color_scheme="gray", on_click=s.keep_planning
                ),
                rx.button(
                    "Accept anyway",
                    color_scheme="red",
                    on_click=s.accept_anyway,
                    id="accept-anyway",
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            id="accept-confirm",
        ),
        open=s.confirming,
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
                _choice(
                    "Technician: best fit first",
                    s.tech_options,
                    s.move_tech,
                    s.set_move_tech,
                    "move-tech",
                ),
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
        rx.cond(
            (s.status == "ready") & (s.proposal != ""),
            rx.button(
                rx.icon("x", size=16),
                "Reject",
                on_click=s.reject,
                variant="soft",
                color_scheme="gray",
                id="reject-plan",
            ),
        ),
        rx.cond(s.status != "", rx.badge(s.status, size="2", id="plan-status")),
        rx.cond(s.stale, rx.badge("stale", color_scheme="amber", size="2", id="plan-stale-badge")),
        rx.cond(
            s.made_at != "",
            rx.text("Made ", s.made_at, " IST", size="2", color_scheme="gray", id="plan-made"),
        ),
        rx.text(s.step, size="2", color_scheme="gray", id="plan-step"),
        spacing="3",
        align="center",
        wrap="wrap",
    )
    result = rx.vstack(
        rx.cond(
            s.proposal != "",
            rx.callout(
                s.proposal,
                icon="siren",
                color_scheme=rx.cond(s.status == "ready", "orange", "gray"),
                id="plan-proposal",
                width="100%",
            ),
        ),
        _freshness(),
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
        _next_steps(),
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
            max_height="34rem",  # a day of 150 jobs scrolls here, the page stays short
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
            s.left_out_empty,
            "plan-unassigned",
            max_height="34rem",  # a day of 150 jobs scrolls here, the page stays short
        ),
        spacing="3",
        width="100%",
    )
    return layout(
        "Dispatch",
        rx.vstack(
            _accept_dialog(),
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
