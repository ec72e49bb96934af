"""The home page of every role: what waits for this person, each item a link to act on it,
then the organisation's figures, each a link to the page that lists them."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.home import HomeState

PRIORITY_SCHEMES = {"P1": "red", "P2": "orange", "P3": "blue", "P4": "gray"}


def _priority(item) -> rx.Component:
    return rx.cond(
        item.priority != "",
        rx.match(
            item.priority,
            *[
                (p, rx.badge(p, color_scheme=scheme, variant="solid", size="1"))
                for p, scheme in PRIORITY_SCHEMES.items()
            ],
            rx.badge(item.priority, size="1"),
        ),
    )


def _item(item) -> rx.Component:
    return rx.link(
        rx.hstack(
            _priority(item),
            rx.vstack(
                rx.text(item.title, size="2", weight="medium"),
                rx.text(item.detail, size="1", color_scheme="gray"),
                spacing="0",
                align="start",
                min_width="0",
            ),
            rx.spacer(),
            rx.icon("chevron-right", size=16, color="var(--gray-9)", flex_shrink="0"),
            align="center",
            spacing="2",
            width="100%",
        ),
        href=item.link,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        padding="6px 8px",
        border_radius="6px",
        width="100%",
        _hover={"background": "var(--gray-a3)"},
        class_name="waiting-item",
    )


def _next_step(section) -> rx.Component:
    return rx.cond(
        section.next_label != "",
        rx.cond(
            section.next_link == "/field",  # the phone app is not a Reflex page: a full load
            rx.el.a(
                section.next_label,
                href=section.next_link,
                id="open-field-app",
                # A full page load: the router would look for a Reflex page of that name.
                on_click=[rx.prevent_default, rx.call_script("window.location.assign('/field')")],
                style={"fontWeight": "600", "color": "var(--accent-11)", "fontSize": "14px"},
            ),
            rx.link(section.next_label, href=section.next_link, size="2", weight="medium"),
        ),
    )


def _section(section) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(section.label, size="3"),
                rx.spacer(),
                rx.badge(
                    section.total,
                    color_scheme=rx.cond(section.total > 0, "teal", "gray"),
                    variant=rx.cond(section.total > 0, "solid", "soft"),
                    radius="full",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                section.total > 0,
                rx.vstack(
                    rx.foreach(section.rows, _item),
                    rx.hstack(
                        rx.cond(
                            section.more != "",
                            rx.text(section.more, size="1", color_scheme="gray"),
                        ),
                        rx.spacer(),
                        _next_step(section),
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    rx.text(section.empty, size="2", color_scheme="gray"),
                    _next_step(section),
                    spacing="2",
                    align="start",
                    class_name="waiting-empty",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="waiting-" + section.key,
    )


def _figure_card(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item["label"], size="2", color_scheme="gray"),
                rx.spacer(),
                rx.cond(item["href"] != "", rx.icon("arrow-up-right", size=14, color="gray")),
                width="100%",
            ),
            rx.heading(item["value"], size="8"),
            rx.text(item["hint"], size="1", color_scheme="gray"),
            spacing="1",
        ),
        width="100%",
        height="100%",
    )


def _figure(item) -> rx.Component:
    return rx.box(
        rx.cond(
            item["href"] != "",
            rx.link(
                _figure_card(item),
                href=item["href"],
                underline="none",
                color_scheme="gray",
                high_contrast=True,
                class_name="figure-link",
            ),
            _figure_card(item),
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
            rx.cond(
                HomeState.waiting.length() > 0,
                rx.vstack(
                    rx.hstack(
                        rx.heading("What waits for you", size="5"),
                        rx.badge(HomeState.waiting_count, radius="full", size="2"),
                        align="center",
                        spacing="2",
                    ),
                    rx.grid(
                        rx.foreach(HomeState.waiting, _section),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4",
                        width="100%",
                        id="waiting",
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.heading("Your figures", size="4", padding_top="8px"),
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
