"""Report a fault on a device, starting from its QR label."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.report import ReportState


def _fact(label: str, key: str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(ReportState.device[key]))


def report_page() -> rx.Component:
    s = ReportState
    scan_form = rx.form(
        rx.hstack(
            rx.input(
                name="payload",
                placeholder="Scan the label (or paste its code)",
                width="100%",
                id="label-payload",
                auto_focus=True,
            ),
            rx.button(rx.icon("scan-line", size=16), "Read label", type="submit", id="read-label"),
            width="100%",
        ),
        on_submit=s.read_label,
        reset_on_submit=True,
        width="100%",
    )
    ticket_form = rx.form(
        rx.vstack(
            rx.card(
                rx.data_list.root(
                    _fact("Device", "serialNumber"),
                    _fact("Model", "model"),
                    _fact("Facility", "facilityName"),
                    _fact("Pincode", "pincode"),
                    _fact("SLA tier", "slaTier"),
                    _fact("Contract", "contract"),
                ),
                width="100%",
                id="report-device",
            ),
            rx.text("Priority", weight="medium", size="2"),
            rx.segmented_control.root(
                *[rx.segmented_control.item(p, value=p) for p in ("P1", "P2", "P3", "P4")],
                value=s.priority,
                on_change=s.set_priority,
            ),
            rx.text(
                "P1: patient care stopped · P2: degraded · P3: fault with workaround · P4: routine",
                size="1",
                color_scheme="gray",
            ),
            rx.input(
                name="error_code",
                placeholder="Error code shown on the device (optional)",
                width="100%",
            ),
            rx.text_area(
                name="description",
                placeholder="What happened?",
                required=True,
                width="100%",
                id="fault-description",
            ),
            rx.button("Open ticket", type="submit", size="3", id="open-ticket"),
            spacing="2",
            width="100%",
        ),
        on_submit=s.submit,
        width="100%",
    )
    return layout(
        "Report a fault",
        rx.vstack(
            scan_form,
            rx.cond(
                s.error != "",
                rx.callout.root(rx.callout.text(s.error), color_scheme="red", id="report-error"),
            ),
            rx.cond(
                s.device["deviceId"] != "",
                ticket_form,
                rx.text(
                    "Scan the QR label on the device: its facility, contract and SLA are "
                    "filled in for you.",
                    color_scheme="gray",
                ),
            ),
            spacing="4",
            width="100%",
            max_width="640px",
        ),
        "From the device's QR label to a ticket with its SLA clock running.",
    )
