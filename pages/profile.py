"""Your profile: the settings of the signed-in person (the WhatsApp number the service
desk knows them by; notification preferences sit beside it)."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.profile import ProfileState


def whatsapp_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("message-circle", color=rx.color("grass", 10)),
                rx.heading("WhatsApp number", size="4"),
                align="center",
                spacing="2",
            ),
            rx.text(
                "Report a broken device by WhatsApp from this number: send a photo of its "
                "Yantra label or its serial number, and a ticket opens for you. "
                "Updates on your tickets come to it too.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="phone",
                        value=ProfileState.phone_draft,
                        on_change=ProfileState.set_phone_draft,
                        placeholder="+91 98765 43210",
                        input_mode="tel",
                        max_length=30,
                        size="3",
                        id="profile-phone",
                        width="16em",
                    ),
                    rx.button("Save number", type="submit", size="3", id="profile-phone-save"),
                    spacing="2",
                    wrap="wrap",
                ),
                on_submit=ProfileState.save_phone,
                reset_on_submit=False,
            ),
            rx.cond(
                ProfileState.phone != "",
                rx.text("Saved: ", rx.code(ProfileState.phone), size="2", id="profile-phone-saved"),
                rx.text(
                    "No number yet: add the mobile you use for WhatsApp.",
                    size="2",
                    color_scheme="orange",
                ),
            ),
            spacing="3",
        ),
        max_width="40em",
        width="100%",
    )


def profile_page() -> rx.Component:
    return layout(
        "Your profile",
        rx.vstack(
            whatsapp_card(),
            rx.link(
                rx.hstack(
                    rx.icon("bell-ring", size=16), rx.text("Notification settings"), spacing="2"
                ),
                href="/profile/notifications",
                id="profile-notifications-link",
            ),
            spacing="4",
            width="100%",
        ),
        subtitle="How Yantra reaches you",
    )
