"""The dispatcher's plan: Optimise, watch the search, see the routes, accept."""

from __future__ import annotations

import reflex as rx

from app.shell import data_table, layout
from state.dispatch import DispatchState


def _summary(label: str, key: str) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="1", color_scheme="gray"),
                             rx.heading(DispatchState.summary[key], size="5"), spacing="1"),
                   min_width="150px")


def dispatch_page() -> rx.Component:
    s = DispatchState
    running = (s.status == "queued") | (s.status == "running")
    head = rx.hstack(
        rx.button(rx.icon("route", size=16), "Optimise", on_click=s.optimise, loading=running,
                  id="optimise"),
        rx.cond(s.status == "ready", rx.button(rx.icon("check", size=16), "Accept the plan",
                                               on_click=s.accept, color_scheme="green",
                                               id="accept-plan")),
        rx.cond(s.status != "", rx.badge(s.status, size="2", id="plan-status")),
        rx.text(s.step, size="2", color_scheme="gray", id="plan-step"),
        spacing="3", align="center", wrap="wrap")
    result = rx.vstack(
        rx.flex(_summary("Jobs planned", "assigned"), _summary("Left out", "unassigned"),
                _summary("Travel (min)", "travelMinutes"), _summary("Late P1", "lateP1"),
                _summary("Technicians out", "techniciansUsed"), spacing="3", wrap="wrap"),
        rx.cond(s.map_html != "", rx.el.iframe(
            src_doc=s.map_html, width="100%", height="440px", id="dispatch-map",
            title="Routes of the plan",
            style={"border": "1px solid var(--gray-a5)", "borderRadius": "8px"})),
        rx.heading("Routes", size="4"),
        data_table([("technician", "Technician"), ("order", "Stop"), ("number", "Ticket"),
                    ("priority", "Priority"), ("device", "Device"), ("facility", "Facility"),
                    ("eta", "ETA (IST)"), ("travel", "Travel"), ("late", "SLA")],
                   s.stops, "No job could be planned; see why below.", "plan-routes"),
        rx.heading("Left out", size="4"),
        data_table([("number", "Ticket"), ("priority", "Priority"), ("device", "Device"),
                    ("facility", "Facility"), ("reason", "Why")], s.unassigned,
                   "Every open ticket has a technician in this plan.", "plan-unassigned"),
        spacing="3", width="100%")
    return layout("Dispatch", rx.vstack(
        head,
        rx.cond(running, rx.progress(value=s.percent, max=100, width="100%",
                                     id="plan-progress")),
        rx.cond(s.summary.contains("assigned"), result,
                rx.callout.root(rx.callout.icon(rx.icon("info")), rx.callout.text(rx.cond(
                    running, "Planning: the search keeps the best plan found so far and "
                    "stops at its time limit.",
                    "Press Optimise to plan the open tickets across your technicians: "
                    "skills, shifts, facility hours, SLA deadlines and parts at their hubs.")),
                    color_scheme="gray")),
        spacing="4", width="100%"),
        "Who goes where, in which order, to keep every SLA.")
