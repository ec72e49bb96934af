"""The page layout: sidebar on wide screens, a menu drawer on phones, and the 403 view."""

from __future__ import annotations

import reflex as rx

from pages.components.bell import bell
from state.auth import AuthState

BRAND = "#0f766e"


def _nav_link(item) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(item["icon"], size=18),
            rx.text(item["label"], size="3"),
            spacing="3",
            align="center",
        ),
        href=item["route"],
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        padding="8px 12px",
        border_radius="8px",
        width="100%",
        _hover={"background": "var(--gray-a3)"},
    )


def _brand() -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.icon("activity", color="white", size=18),
            background=BRAND,
            border_radius="8px",
            padding="6px",
        ),
        rx.heading("Yantra", size="5"),
        align="center",
        spacing="2",
    )


def _who() -> rx.Component:
    return rx.vstack(
        rx.text(AuthState.user_name, weight="bold", size="2", id="who-name"),
        rx.text(AuthState.role_label, size="1", color_scheme="gray", id="who-role"),
        rx.text(AuthState.org_name, size="1", color_scheme="gray"),
        rx.button(
            rx.icon("log-out", size=14),
            "Sign out",
            on_click=AuthState.logout,
            variant="soft",
            size="1",
            id="sign-out",
        ),
        spacing="1",
        align="start",
    )


def _menu(**props) -> rx.Component:
    return rx.vstack(
        rx.foreach(AuthState.nav, _nav_link), spacing="1", width="100%", id="main-menu", **props
    )


def _sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(_brand(), rx.spacer(), bell("bell"), width="100%", align="center"),
            rx.divider(),
            _menu(),
            rx.spacer(),
            rx.divider(),
            _who(),
            height="100vh",
            padding="16px",
            spacing="4",
        ),
        width="240px",
        min_width="240px",
        border_right="1px solid var(--gray-a5)",
        position="sticky",
        top="0",
        height="100vh",
        overflow_y="auto",  # a long menu scrolls within the sidebar on a short screen
        background="var(--gray-a2)",
        display=["none", "none", "block"],
    )


def _topbar() -> rx.Component:
    return rx.hstack(
        _brand(),
        rx.spacer(),
        bell("bell-phone"),
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="soft", id="menu-button")),
            rx.drawer.overlay(),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        _brand(),
                        rx.divider(),
                        _menu(),
                        rx.divider(),
                        _who(),
                        padding="16px",
                        spacing="4",
                    ),
                    background="var(--color-panel-solid)",
                    width="80%",
                    max_width="300px",
                    height="100%",
                    top="0",
                    left="0",
                )
            ),
            direction="left",
        ),
        padding="10px 14px",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
        display=["flex", "flex", "none"],
        align="center",
    )


def forbidden_view() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("shield-alert")),
        rx.callout.text(
            rx.text("403 — not allowed. ", weight="bold"),
            "Your role cannot open this page. Use the menu to go where your role works.",
        ),
        color_scheme="red",
        id="forbidden",
    )


def layout(title: str, content: rx.Component, subtitle: str = "") -> rx.Component:
    return rx.hstack(
        _sidebar(),
        rx.vstack(
            _topbar(),
            rx.box(
                rx.vstack(
                    rx.heading(title, size="7"),
                    rx.cond(subtitle != "", rx.text(subtitle, color_scheme="gray")),
                    rx.cond(AuthState.forbidden, forbidden_view(), content),
                    spacing="4",
                    width="100%",
                ),
                padding=["16px", "20px", "32px"],
                width="100%",
                max_width="1200px",
            ),
            width="100%",
            spacing="0",
        ),
        spacing="0",
        width="100%",
        align="start",
        min_height="100vh",
    )
