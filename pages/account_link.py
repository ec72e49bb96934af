"""The page a one-time invitation or password-reset link opens: its owner sets a password."""

from __future__ import annotations

import reflex as rx

from state.admin import AccountLinkState

# Posted by the browser itself, so the password never passes through a page's state.
SET_PASSWORD_SCRIPT = """(async () => {
  const form = document.getElementById('password-form');
  const body = new URLSearchParams(new FormData(form));
  const secret = window.location.pathname.split('/').filter(Boolean).pop();
  try {
    const answer = await fetch('/api/v1/auth/links/' + encodeURIComponent(secret),
      {method: 'POST', body: body, credentials: 'same-origin',
       headers: {'Accept': 'application/json'}});
    if (answer.ok) { return ''; }
    const data = await answer.json().catch(() => ({}));
    return (data.error && data.error.message) || 'The password could not be set; try again.';
  } catch (e) {
    return 'Yantra could not be reached; check the connection and try again.';
  }
})()"""


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                "Set the password for ",
                rx.text.strong(AccountLinkState.link_email),
                " at ",
                AccountLinkState.link_org,
                ".",
                size="2",
            ),
            rx.text("New password (at least 10 characters)", size="2", weight="medium"),
            rx.input(
                name="password",
                type="password",
                required=True,
                min_length=10,
                size="3",
                width="100%",
                id="new-password",
                auto_complete="new-password",
            ),
            rx.text("The same again", size="2", weight="medium"),
            rx.input(
                name="confirm",
                type="password",
                required=True,
                size="3",
                width="100%",
                id="confirm-password",
                auto_complete="new-password",
            ),
            rx.cond(
                AccountLinkState.link_error != "",
                rx.callout.root(
                    rx.callout.text(AccountLinkState.link_error),
                    color_scheme="red",
                    size="1",
                    id="password-error",
                ),
            ),
            rx.button("Set password", type="submit", size="3", width="100%", id="set-password"),
            spacing="2",
            width="100%",
        ),
        on_submit=rx.call_script(SET_PASSWORD_SCRIPT, callback=AccountLinkState.answered),
        reset_on_submit=False,
        width="100%",
        id="password-form",
    )


def account_link_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(
                    rx.cond(
                        AccountLinkState.link_purpose == "invite",
                        "Welcome to Yantra",
                        "Choose a new password",
                    ),
                    size="6",
                ),
                rx.cond(
                    AccountLinkState.link_done,
                    rx.vstack(
                        rx.callout.root(
                            rx.callout.text("Your password is set. Sign in with it now."),
                            color_scheme="green",
                            id="password-set",
                        ),
                        rx.link(rx.button("Sign in", size="3"), href="/login"),
                        spacing="3",
                    ),
                    rx.cond(
                        AccountLinkState.link_gone,
                        rx.callout.root(
                            rx.callout.text(
                                "This link has been used, has expired or was replaced by a "
                                "newer one. Ask your organisation's admin for a new link."
                            ),
                            color_scheme="orange",
                            id="link-gone",
                        ),
                        _password_form(),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="440px",
        ),
        min_height="100vh",
        padding="16px",
        background="var(--gray-a2)",
    )
