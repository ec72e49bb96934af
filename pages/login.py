"""Sign-in page."""

from __future__ import annotations

import reflex as rx

from state.auth import SIGN_IN_SCRIPT, AuthState


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.box(
                        rx.icon("activity", color="white", size=22),
                        background="#0f766e",
                        border_radius="10px",
                        padding="8px",
                    ),
                    rx.heading("Yantra", size="7"),
                    align="center",
                    spacing="3",
                ),
                rx.text("Medical equipment, bought and kept running.", color_scheme="gray"),
                rx.form(
                    rx.vstack(
                        rx.text("E-mail", size="2", weight="medium"),
                        rx.input(
                            name="email",
                            type="email",
                            placeholder="you@hospital.in",
                            required=True,
                            size="3",
                            width="100%",
                            id="email",
                            auto_complete="username",
                        ),
                        rx.text("Password", size="2", weight="medium"),
                        rx.input(
                            name="password",
                            type="password",
                            required=True,
                            size="3",
                            width="100%",
                            id="password",
                            auto_complete="current-password",
                        ),
                        rx.cond(
                            AuthState.login_error != "",
                            rx.callout.root(
                                rx.callout.text(AuthState.login_error),
                                color_scheme="red",
                                size="1",
                                id="login-error",
                            ),
                        ),
                        rx.button("Sign in", type="submit", size="3", width="100%", id="sign-in"),
                        spacing="2",
                        width="100%",
                    ),
                    # Posted by the browser itself, so the cookie comes back HttpOnly.
                    on_submit=rx.call_script(SIGN_IN_SCRIPT, callback=AuthState.show_login_error),
                    reset_on_submit=False,
                    width="100%",
                    id="login-form",
                ),
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="400px",
        ),
        min_height="100vh",
        padding="16px",
        background="var(--gray-a2)",
    )
