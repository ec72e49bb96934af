"""WhatsApp threads for the service desk: the list with each thread's ticket on the left,
the selected thread's messages and a reply box on the right."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.conversations import ConversationsState as S

PRIORITY_SCHEMES = {"P1": "red", "P2": "orange", "P3": "blue", "P4": "gray"}


def _priority(value) -> rx.Component:
    return rx.badge(
        value,
        color_scheme=rx.match(value, *PRIORITY_SCHEMES.items(), "gray"),
        variant="solid",
    )


def _thread_card(t) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(t["phone"], weight="bold", size="2"),
                rx.spacer(),
                rx.text(t["when"], size="1", color_scheme="gray"),
                width="100%",
            ),
            rx.text(t["device"], size="2", trim="both"),
            rx.hstack(
                rx.cond(t["priority"] != "", _priority(t["priority"])),
                rx.cond(
                    t["ticket"] != "",
                    rx.link(t["ticket"], href="/tickets/" + t["ticket_id"], size="2"),
                    rx.badge(t["state"], color_scheme="amber", variant="soft"),
                ),
                rx.cond(t["intent"] != "", rx.badge(t["intent"], variant="soft")),
                rx.cond(t["taken"] != "", rx.badge("desk replying", color_scheme="grass")),
                spacing="2",
                wrap="wrap",
            ),
            spacing="1",
            width="100%",
        ),
        on_click=S.open_thread(t["id"]),
        cursor="pointer",
        width="100%",
        variant=rx.cond(S.selected == t["id"], "surface", "ghost"),
        class_name="wa-thread",
    )


def _bubble(m) -> rx.Component:
    inbound = m["direction"] == "in"
    return rx.flex(
        rx.box(
            rx.text(m["body"], size="2", white_space="pre-wrap"),
            rx.hstack(
                rx.text(m["who"], size="1", color_scheme="gray"),
                rx.text(m["when"], size="1", color_scheme="gray"),
                rx.text(m["status"], size="1", color_scheme="gray", class_name="wa-status"),
                spacing="2",
                justify="end",
            ),
            background=rx.cond(inbound, rx.color("gray", 3), rx.color("grass", 3)),
            padding="0.5em 0.75em",
            border_radius="10px",
            max_width="80%",
        ),
        justify=rx.cond(inbound, "start", "end"),
        width="100%",
        class_name="wa-message",
    )


def _thread_view() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.scroll_area(
                rx.vstack(rx.foreach(S.messages, _bubble), spacing="2", width="100%"),
                max_height="60vh",
                type="auto",
            ),
            rx.form(
                rx.hstack(
                    rx.text_area(
                        name="text",
                        value=S.reply_text,
                        on_change=S.set_reply_text,
                        placeholder="Reply on WhatsApp as the service desk…",
                        rows="2",
                        width="100%",
                        id="wa-reply",
                    ),
                    rx.button("Send", type="submit", id="wa-send"),
                    width="100%",
                    align="end",
                ),
                on_submit=S.send_reply,
                reset_on_submit=False,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _empty() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("message-circle")),
        rx.callout.text(
            "No WhatsApp threads yet. When a hospital user with a registered number reports "
            "a fault on WhatsApp, the thread appears here with its ticket, and you can reply "
            "from here. Users add their number on their profile page."
        ),
        color_scheme="gray",
        id="wa-empty",
    )


def conversations_page() -> rx.Component:
    return layout(
        "WhatsApp",
        rx.cond(
            S.threads.length() > 0,
            rx.grid(
                rx.vstack(rx.foreach(S.threads, _thread_card), spacing="2", width="100%"),
                _thread_view(),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
                style={"grid_template_columns": rx.breakpoints(initial="1fr", md="2fr 3fr")},
            ),
            _empty(),
        ),
        subtitle="Threads from hospitals, each with its ticket",
    )
