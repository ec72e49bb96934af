"""The device page's lifecycle dialog: move, out of service, back in service, decommission."""

from __future__ import annotations

import reflex as rx

from state.device_lifecycle import DeviceLifecycleState

S = DeviceLifecycleState
CHOICES = [
    ("transfer", "Move to another site"),
    ("out_of_service", "Take out of service"),
    ("in_service", "Put back in service"),
    ("decommissioned", "Decommission (final)"),
]


def device_lifecycle() -> rx.Component:
    """A state badge and, for the owner, the button opening the dialog."""
    dialog = rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("settings-2", size=14), "Change", variant="soft", id="lifecycle")
        ),
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title("Move or change this device"),
                rx.radio_group.root(
                    rx.vstack(
                        *[rx.radio_group.item(label, value=value) for value, label in CHOICES],
                        spacing="1",
                    ),
                    value=S.action,
                    on_change=S.set_action,
                ),
                rx.cond(
                    S.action == "transfer",
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="Choose the new site", width="100%", id="lifecycle-site"
                        ),
                        rx.select.content(
                            rx.foreach(S.sites, lambda s: rx.select.item(s["name"], value=s["id"]))
                        ),
                        value=S.site,
                        on_change=S.set_site,
                    ),
                ),
                rx.input(
                    placeholder=rx.cond(S.action == "transfer", "Note (optional)", "Reason"),
                    value=S.reason,
                    on_change=S.set_reason,
                    width="100%",
                    id="lifecycle-reason",
                ),
                rx.cond(
                    S.action == "decommissioned",
                    rx.callout.root(
                        rx.callout.text(
                            "Decommissioning is final: the device leaves service for good."
                        ),
                        color_scheme="red",
                        size="1",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Apply", on_click=S.apply, id="lifecycle-apply"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="420px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )
    return rx.hstack(
        rx.badge(S.state, variant="soft", id="service-state"),
        rx.cond(S.reason_shown != "", rx.text(S.reason_shown, size="1", color_scheme="gray")),
        rx.cond(S.can_change, dialog),
        align="center",
        spacing="2",
    )
