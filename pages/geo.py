"""Pincode lookup over India Post's directory."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.geo import PincodeState


def _row(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def pincodes_page() -> rx.Component:
    result = PincodeState.result
    return layout(
        "Pincode lookup",
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.input(
                        name="pincode",
                        placeholder="e.g. 110001",
                        max_length=6,
                        size="3",
                        id="pincode-input",
                        input_mode="numeric",
                    ),
                    rx.button("Look up", type="submit", size="3", id="pincode-submit"),
                    spacing="2",
                    wrap="wrap",
                ),
                on_submit=PincodeState.lookup,
                reset_on_submit=False,
            ),
            rx.cond(
                PincodeState.error != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert")),
                    rx.callout.text(PincodeState.error),
                    color_scheme="red",
                    id="pincode-error",
                ),
            ),
            rx.cond(
                result.contains("pincode"),
                rx.card(
                    rx.data_list.root(
                        _row("Pincode", result["pincode"]),
                        _row("City", result["city"]),
                        _row("District", result["district"]),
                        _row("State", result["state"]),
                        _row("Latitude", result["lat"]),
                        _row("Longitude", result["lng"]),
                    ),
                    id="pincode-result",
                ),
            ),
            spacing="4",
            width="100%",
            max_width="560px",
        ),
        "City, district, state and centroid of any of India's 19,416 pincodes.",
    )
