"""The app shell: sidebar on wide screens, a menu drawer on phones, and the 403 view."""

from __future__ import annotations

import reflex as rx

from state.auth import AuthState

BRAND = "#0f766e"


def map_frame(*, links_out: bool = False, **props) -> rx.Component:
    """An iframe for a map, sandboxed without the app's origin: a script in the map can
    reach neither the page, its cookies nor the API as the user. `links_out` lets a click
    in the map open a page of the app (the directory's facility links)."""
    sandbox = "allow-scripts" + (" allow-top-navigation-by-user-activation" if links_out else "")
    return rx.el.iframe(sandbox=sandbox, **props)


def _nav_link(item) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(item["icon"], size=18), rx.text(item["label"], size="3"),
                  spacing="3", align="center"),
        href=item["route"], underline="none", color_scheme="gray", high_contrast=True,
        padding="8px 12px", border_radius="8px", width="100%",
        _hover={"background": "var(--gray-a3)"},
    )


def _brand() -> rx.Component:
    return rx.hstack(
        rx.box(rx.icon("activity", color="white", size=18), background=BRAND,
               border_radius="8px", padding="6px"),
        rx.heading("Yantra", size="5"),
        align="center", spacing="2",
    )


def _notice(item) -> rx.Component:
    text = rx.vstack(
        rx.text(item["title"], size="2", weight=rx.cond(item["unread"] != "", "bold", "regular")),
        rx.text(item["at"] + " · " + item["body"], size="1", color_scheme="gray"),
        spacing="0", align="start")
    return rx.cond(item["href"] != "", rx.link(text, href=item["href"], underline="none",
                                               color_scheme="gray", high_contrast=True), text)


def bell(element_id: str) -> rx.Component:
    """Notices for the user's roles (breaches, escalations), with the unread count."""
    count = rx.cond(AuthState.unread > 0, rx.badge(AuthState.unread, color_scheme="red",
                                                   variant="solid", radius="full", size="1",
                                                   position="absolute", top="-6px",
                                                   right="-8px"))
    return rx.popover.root(
        rx.popover.trigger(rx.box(
            rx.icon_button(rx.icon("bell", size=18), variant="ghost", color_scheme="gray",
                           aria_label="Notifications"),
            count, position="relative", id=element_id)),
        rx.popover.content(rx.vstack(
            rx.hstack(rx.text("Notifications", weight="bold"), rx.spacer(),
                      rx.cond(AuthState.unread > 0, rx.button(
                          "Mark all read", size="1", variant="soft",
                          on_click=AuthState.read_notices)), width="100%", align="center"),
            rx.cond(AuthState.notices.length() > 0,
                    rx.vstack(rx.foreach(AuthState.notices, _notice), spacing="3",
                              width="100%", max_height="360px", overflow_y="auto"),
                    rx.text("Nothing for you yet. Breaches and escalations show here.",
                            size="2", color_scheme="gray")),
            spacing="3", width="100%"), width="320px"),
    )


def _who() -> rx.Component:
    return rx.vstack(
        rx.text(AuthState.user_name, weight="bold", size="2", id="who-name"),
        rx.text(AuthState.role_label, size="1", color_scheme="gray", id="who-role"),
        rx.text(AuthState.org_name, size="1", color_scheme="gray"),
        rx.button(rx.icon("log-out", size=14), "Sign out", on_click=AuthState.logout,
                  variant="soft", size="1", id="sign-out"),
        spacing="1", align="start",
    )


def _menu(**props) -> rx.Component:
    return rx.vstack(rx.foreach(AuthState.nav, _nav_link), spacing="1", width="100%",
                     id="main-menu", **props)


def _sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(rx.hstack(_brand(), rx.spacer(), bell("bell"), width="100%", align="center"),
                  rx.divider(), _menu(), rx.spacer(), rx.divider(), _who(),
                  height="100vh", padding="16px", spacing="4"),
        width="240px", min_width="240px", border_right="1px solid var(--gray-a5)",
        position="sticky", top="0", height="100vh", background="var(--gray-a2)",
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
            rx.drawer.portal(rx.drawer.content(
                rx.vstack(_brand(), rx.divider(), _menu(), rx.divider(), _who(),
                          padding="16px", spacing="4"),
                background="var(--color-panel-solid)", width="80%", max_width="300px",
                height="100%", top="0", left="0")),
            direction="left",
        ),
        padding="10px 14px", border_bottom="1px solid var(--gray-a5)", width="100%",
        display=["flex", "flex", "none"], align="center",
    )


def forbidden_view() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("shield-alert")),
        rx.callout.text(
            rx.text("403 — not allowed. ", weight="bold"),
            "Your role cannot open this page. Use the menu to go where your role works.",
        ),
        color_scheme="red", id="forbidden",
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
                    spacing="4", width="100%",
                ),
                padding=["16px", "20px", "32px"], width="100%", max_width="1200px",
            ),
            width="100%", spacing="0",
        ),
        spacing="0", width="100%", align="start", min_height="100vh",
    )


def data_table(columns: list[tuple[str, str]], rows, empty: str, table_id: str) -> rx.Component:
    """A table over a list of dicts; `columns` are (key, heading)."""
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h)
                                                for _k, h in columns])),
                rx.table.body(rx.foreach(rows, lambda row: rx.table.row(
                    *[rx.table.cell(row[k]) for k, _h in columns]))),
                variant="surface", size="2", width="100%", id=table_id,
            ),
            overflow_x="auto", width="100%",
        ),
        rx.callout.root(rx.callout.icon(rx.icon("info")), rx.callout.text(empty),
                        color_scheme="gray"),
    )
