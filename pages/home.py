"""The home page of every role: that role's numbers."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.home import HomeState


def _figure(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(item["label"], size="2", color_scheme="gray"),
            rx.heading(item["value"], size="8"),
            rx.text(item["hint"], size="1", color_scheme="gray"),
            spacing="1",
        ),
        width="100%",
    )


def home_page() -> rx.Component:
    return layout(
        "Home",
        rx.vstack(
            rx.text(
                "Signed in as ",
                rx.text.strong(HomeState.role_label),
                " at ",
                rx.text.strong(HomeState.org_name),
                ".",
            ),
            rx.grid(
                rx.foreach(HomeState.figures, _figure),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="4",
                width="100%",
                id="figures",
            ),
            spacing="4",
            width="100%",
        ),
    )
