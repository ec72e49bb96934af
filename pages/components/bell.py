"""The notification bell: notices for the user's roles, with the unread count."""

from __future__ import annotations

import reflex as rx

from state.auth import AuthState


def _notice(item) -> rx.Component:
    text = rx.vstack(
        rx.text(item["title"], size="2", weight=rx.cond(item["unread"] != "", "bold", "regular")),
        rx.text(item["at"] + " · " + item["body"], size="1", color_scheme="gray"),
        spacing="0",
        align="start",
    )
    return rx.cond(
        item["href"] != "",
        rx.link(text, href=item["href"], underline="none", color_scheme="gray", high_contrast=True),
        text,
    )


def bell(element_id: str) -> rx.Component:
    """Notices for the user's roles (breaches, escalations), with the unread count."""
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
                        "Nothing for you yet. Breaches and escalations show here.",
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
