"""The negotiation room: a live thread between a buyer and one OEM, counter-offers as
structured offers, read receipts, and a coach only the asking side hears."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.negotiation import NegotiationState


def _counter_card(m) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("hand-coins", size=16),
            rx.text("Counter-offer", weight="bold"),
            rx.spacer(),
            rx.text(m.total, weight="bold", class_name="offer-total"),
            width="100%",
            align="center",
        ),
        rx.foreach(m.offer_lines, lambda line: rx.text(line, size="2")),
        rx.cond(m.terms != "", rx.text(m.terms, size="2", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def _confidence_badge(m) -> rx.Component:
    return rx.cond(
        m.confidence != "",
        rx.badge(
            m.confidence,
            color_scheme=rx.match(
                m.confidence, ("high confidence", "green"), ("medium confidence", "amber"), "red"
            ),
            class_name="coach-confidence",
        ),
    )


def _accept_card(m) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("handshake", size=16),
            rx.text("Offer accepted", weight="bold"),
            rx.spacer(),
            rx.text(m.total, weight="bold", class_name="offer-total"),
            width="100%",
            align="center",
        ),
        rx.cond(m.terms != "", rx.text(m.terms, size="2", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def _on_table() -> rx.Component:
    """The offer on the table: who made it, its price and terms; accept it, or see it agreed."""
    s = NegotiationState
    t = s.table
    confirm = rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(rx.icon("handshake", size=14), "Accept this offer", id="room-accept")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Accept ", t["price"], "?"),
            rx.alert_dialog.description(
                "With ",
                t["terms"],
                ". It becomes the agreed quote revision: the one the buyer awards.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Not yet", variant="soft")),
                rx.alert_dialog.action(
                    rx.button("Accept", on_click=s.accept(t["offerId"]), id="room-accept-confirm")
                ),
                spacing="3",
                justify="end",
                margin_top="12px",
            ),
        ),
    )
    return rx.cond(
        t["offerId"] != "",
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.text("On the table", size="1", color_scheme="gray"),
                        rx.cond(
                            t["agreed"] == "yes",
                            rx.badge("agreed", color_scheme="green", id="room-agreed"),
                        ),
                        spacing="2",
                        align="center",
                    ),
                    rx.text(t["what"], weight="bold", id="room-table-what"),
                    rx.text(t["price"], size="4", weight="bold", id="room-table-price"),
                    rx.text(t["terms"], size="2", color_scheme="gray", id="room-table-terms"),
                    spacing="1",
                ),
                rx.spacer(),
                rx.cond(
                    t["canAccept"] == "yes",
                    confirm,
                    rx.cond(
                        t["mine"] == "yes",
                        rx.text("Waiting for the other side", size="2", color_scheme="gray"),
                    ),
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            width="100%",
            id="room-table",
        ),
    )


def _tip_card(m) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("sparkles", size=16),
            rx.text("Coach", weight="bold"),
            rx.badge(m.position, color_scheme="amber"),
            _confidence_badge(m),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text("Fair band: ", m.band, size="2"),
        rx.cond(
            m.basis != "",
            rx.text(m.basis, size="1", color_scheme="gray", class_name="coach-basis"),
        ),
        rx.cond(
            m.counter != "", rx.text("Suggested counter: ", rx.text.strong(m.counter), size="2")
        ),
        rx.foreach(
            m.flags,
            lambda f: rx.callout(
                f, icon="triangle-alert", color_scheme="red", size="1", class_name="coach-flag"
            ),
        ),
        rx.foreach(m.reasons, lambda r: rx.text("• ", r, size="2")),
        rx.cond(
            m.tip_terms.length() > 0,
            rx.vstack(
                rx.text("Terms to trade", size="2", weight="bold"),
                rx.foreach(m.tip_terms, lambda t: rx.text("• ", t, size="2")),
                spacing="1",
            ),
        ),
        rx.cond(
            m.action == "counter",
            rx.button(
                "Use these prices",
                size="1",
                variant="soft",
                on_click=NegotiationState.use_counter(m.id),
            ),
        ),
        spacing="1",
        width="100%",
        class_name="coach-tip",
    )


def _bubble(m) -> rx.Component:
    body = rx.cond(
        m.kind == "counter",
        _counter_card(m),
        rx.cond(
            m.kind == "coachTip",
            _tip_card(m),
            rx.cond(m.kind == "accept", _accept_card(m), rx.fragment()),
        ),
    )
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(m.who, size="1", weight="bold"),
                rx.text(m.at, size="1", color_scheme="gray"),
                spacing="2",
            ),
            body,
            rx.cond(m.body != "", rx.text(m.body, size="2", white_space="pre-wrap")),
            rx.cond(
                m.receipt != "",
                rx.text(
                    m.receipt,
                    size="1",
                    color_scheme="gray",
                    class_name="receipt",
                    align="right",
                    width="100%",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        class_name=rx.cond(m.mine, "msg mine msg-", "msg theirs msg-") + m.kind.to(str),
        background=rx.cond(
            m.kind == "coachTip",
            "var(--amber-3)",
            rx.cond(m.mine, "var(--teal-3)", "var(--gray-3)"),
        ),
        border_radius="10px",
        padding="10px 12px",
        max_width="min(560px, 92%)",
        align_self=rx.cond(m.mine | (m.kind == "coachTip"), "flex-end", "flex-start"),
    )


def _composer() -> rx.Component:
    s = NegotiationState
    line = lambda li: rx.hstack(  # noqa: E731
        rx.text(li["code"], " × ", li["qty"], size="2", min_width="180px"),
        rx.input(
            value=li["price"],
            placeholder="unit price, ₹",
            on_change=lambda v: s.set_line_price(li["itemId"], v),
            width="170px",
            class_name="counter-price",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )
    return rx.card(
        rx.vstack(
            rx.text_area(
                value=s.draft,
                on_change=s.set_draft,
                placeholder="Write a message",
                rows="2",
                width="100%",
                id="room-draft",
            ),
            rx.hstack(
                rx.button(rx.icon("send", size=14), "Send", on_click=s.send, id="room-send"),
                rx.button(
                    rx.icon("sparkles", size=14),
                    "Ask the coach",
                    on_click=s.ask_coach,
                    variant="soft",
                    color_scheme="amber",
                    id="room-coach",
                ),
                spacing="2",
            ),
            rx.divider(),
            rx.text(
                "Counter-offer (unit price after discount, before GST)", size="2", weight="bold"
            ),
            rx.foreach(s.lines, line),
            rx.hstack(
                rx.text("Warranty", size="2"),
                rx.input(
                    value=s.warranty, on_change=s.set_warranty, placeholder="years", width="90px"
                ),
                rx.text("CMC", size="2"),
                rx.input(value=s.cmc, on_change=s.set_cmc, placeholder="years", width="90px"),
                rx.text("Lead time", size="2"),
                rx.input(value=s.lead, on_change=s.set_lead, placeholder="days", width="90px"),
                rx.button(
                    rx.icon("hand-coins", size=14),
                    "Send counter-offer",
                    on_click=s.send_counter,
                    id="room-counter",
                ),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def negotiation_page() -> rx.Component:
    s = NegotiationState
    head = rx.hstack(
        rx.heading(s.title, size="4"),
        rx.badge(s.status, id="room-status"),
        rx.text("with ", s.counterpart, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.badge(
            rx.cond(s.live, "live", "connecting…"),
            color_scheme=rx.cond(s.live, "green", "gray"),
            id="room-live",
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )
    room = rx.vstack(
        head,
        _on_table(),
        rx.auto_scroll(
            rx.cond(
                s.messages.length() > 0,
                rx.vstack(rx.foreach(s.messages, _bubble), spacing="2", width="100%"),
                rx.text(
                    "No messages yet. Open with a question or a counter-offer.",
                    color_scheme="gray",
                    size="2",
                ),
            ),
            id="room-thread",
            width="100%",
            max_height="60vh",
            padding="4px",
        ),
        rx.cond(
            (s.status == "open") | (s.status == "negotiating"),
            _composer(),
            rx.callout.root(
                rx.callout.text("This RFQ is ", s.status, "; the room is closed for new messages."),
                color_scheme="gray",
            ),
        ),
        spacing="4",
        width="100%",
    )
    return layout(
        "Negotiation",
        rx.cond(
            s.status == "missing",
            rx.callout.root(
                rx.callout.text("No such negotiation, or it is not yours."), color_scheme="red"
            ),
            room,
        ),
        "Messages and counter-offers, live for both sides.",
    )
