"""One ticket: SLA clocks, next steps, timeline, comments and photos."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from state.tickets import TicketState


def _fact(label: str, key: str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(TicketState.info[key]))


def ticket_page() -> rx.Component:
    s = TicketState
    steps = rx.hstack(
        rx.foreach(
            s.next_steps,
            lambda step: rx.button(
                step.replace("_", " "), on_click=s.move(step), variant="soft", id="move-" + step
            ),
        ),
        spacing="2",
        wrap="wrap",
    )
    comment = rx.card(
        rx.vstack(
            rx.text_area(
                placeholder="What did you find or do?",
                value=s.comment,
                on_change=s.set_comment,
                width="100%",
                id="comment-text",
            ),
            rx.upload(
                rx.text("Attach a photo (JPEG, PNG or WebP)", size="2"),
                id="ticket-photo",
                accept={
                    "image/jpeg": [".jpg", ".jpeg"],
                    "image/png": [".png"],
                    "image/webp": [".webp"],
                },
                max_files=1,
                border="1px dashed var(--gray-a7)",
                padding="10px",
                width="100%",
            ),
            rx.text(rx.selected_files("ticket-photo"), size="1", color_scheme="gray"),
            rx.button(
                "Add to the ticket",
                on_click=s.post_comment(rx.upload_files(upload_id="ticket-photo")),
                id="post-comment",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
    body = rx.vstack(
        rx.hstack(
            rx.heading("#" + s.info["number"], size="6", id="ticket-number"),
            rx.badge(
                s.info["priority"],
                variant="solid",
                color_scheme=rx.match(
                    s.info["priority"], ("P1", "red"), ("P2", "orange"), ("P3", "blue"), "gray"
                ),
            ),
            rx.badge(s.info["status"], variant="soft", id="ticket-status"),
            align="center",
            spacing="3",
        ),
        rx.text(s.info["description"]),
        rx.card(
            rx.data_list.root(
                _fact("Respond by", "responseDueAt"),
                _fact("Resolve by", "resolutionDueAt"),
                _fact("SLA policy", "policy"),
                _fact("Escalation level", "escalationLevel"),
                _fact("Penalty so far", "penalty"),
                _fact("Error code", "errorCode"),
                _fact("City", "city"),
                _fact("Opened", "openedAt"),
                _fact("Source", "source"),
            )
        ),
        rx.link("Open the device", href="/devices/" + s.info["deviceId"]),
        rx.heading("Next step", size="4"),
        steps,
        rx.heading("Timeline", size="4"),
        data_table(
            [
                ("at", "When (IST)"),
                ("kind", "What"),
                ("change", "Status"),
                ("by", "By"),
                ("note", "Note"),
            ],
            s.history,
            "Nothing yet.",
            "ticket-timeline",
        ),
        rx.heading("Photos from the field", size="4"),
        rx.flex(
            rx.foreach(
                s.photos,
                lambda p: rx.image(
                    src=p["src"], alt=p["name"], max_width="220px", border_radius="8px"
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        comment,
        spacing="3",
        width="100%",
        max_width="960px",
    )
    return layout(
        "Ticket",
        rx.cond(
            s.missing,
            rx.callout.root(
                rx.callout.text("No such ticket, or it is not shared with you."),
                color_scheme="orange",
            ),
            body,
        ),
    )
