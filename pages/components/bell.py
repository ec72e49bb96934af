"""The notification bell: the person's own notices, newest first, each a link to the thing
it is about, with the unread count kept live."""

from __future__ import annotations

import reflex as rx

from state.auth import AuthState
from state.bell import BellState


def _notice(item) -> rx.Component:
    text = rx.vstack(
        rx.text(item["title"], size="2", weight=rx.cond(item["unread"] != "", "bold", "regular")),
        rx.text(item["at"] + " · " + item["body"], size="1", color_scheme="gray"),
        spacing="0",
        align="start",
    )
    dot = rx.box(
        width="8px",
        height="8px",
        border_radius="50%",
        flex_shrink="0",
        margin_top="6px",
        background=rx.cond(item["unread"] != "", "var(--red-9)", "transparent"),
    )
    row = rx.hstack(dot, text, spacing="2", align="start", width="100%")
    return rx.cond(
        item["href"] != "",
        rx.link(
            row,
            href=item["href"],
            underline="none",
            color_scheme="gray",
            high_contrast=True,
            on_click=BellState.open_notice(item["id"]),
            class_name="notice",
            width="100%",
        ),
        rx.box(row, class_name="notice", width="100%"),
    )


def bell(element_id: str) -> rx.Component:
    """The person's notices (RFQs, quotes, counter-offers, urgent tickets, jobs, orders,
    breaches), with the unread count; it follows new ones while the tab is open."""
    count = rx.cond(
        AuthState.unread > 0,
        rx.badge(
            AuthState.unread,
            color_scheme="red",
            variant="solid",
            radius="full",
            size="1",
            position="absolute",
            top="-6px",
            right="-8px",
            pointer_events="none",  # a click on the count opens the bell too
        ),
    )
    return rx.popover.root(
        rx.popover.trigger(
            rx.box(
                rx.icon_button(
                    rx.icon("bell", size=18),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Notifications",
                ),
                count,
                position="relative",
                id=element_id,
                on_mount=BellState.listen,
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.text("Notifications", weight="bold"),
                    rx.spacer(),
                    rx.cond(
                        AuthState.unread > 0,
                        rx.button(
                            "Mark all read",
                            size="1",
                            variant="soft",
                            on_click=AuthState.read_notices,
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    AuthState.notices.length() > 0,
                    rx.vstack(
                        rx.foreach(AuthState.notices, _notice),
                        spacing="3",
                        width="100%",
                        max_height="360px",
                        overflow_y="auto",
                    ),
                    rx.text(
                        "Nothing for you yet. New RFQs, quotes, counter-offers, urgent "
                        "tickets, jobs and orders that need you show here.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="320px",
        ),
    )
