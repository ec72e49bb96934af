"""The device page's Edit dialog (the owner's): site, serial, installation date, UDI, cover
and SLA tier, each with its own error line."""

from __future__ import annotations

import reflex as rx

from state.device_edit import DeviceEditState

S = DeviceEditState


def _error(field: str) -> rx.Component:
    return rx.cond(
        S.errors[field] != "",
        rx.text(S.errors[field], size="1", color_scheme="red", id=f"edit-error-{field}"),
    )


def _row(label: str, field: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"), control, _error(field), spacing="1", width="100%"
    )


def _text(label: str, field: str, kind: str = "text", hint: str = "") -> rx.Component:
    return _row(
        label,
        field,
        rx.input(
            value=S.form[field],
            on_change=lambda v: S.set_field(field, v),
            type=kind,
            placeholder=hint,
            width="100%",
            id=f"edit-{field}",
        ),
    )


def _choice(label: str, field: str, options, placeholder: str) -> rx.Component:
    return _row(
        label,
        field,
        rx.select.root(
            rx.select.trigger(placeholder=placeholder, width="100%", id=f"edit-{field}"),
            rx.select.content(options),
            value=S.form[field],
            on_change=lambda v: S.set_field(field, v),
        ),
    )


def device_edit() -> rx.Component:
    """The Edit button and its dialog, for the device's owner while it is not decommissioned."""
    sites = rx.foreach(S.sites, lambda s: rx.select.item(s["name"], value=s["id"]))
    covers = rx.foreach(S.amc_choices, lambda c: rx.select.item(c["label"], value=c["value"]))
    tiers = rx.foreach(S.sla_choices, lambda t: rx.select.item(t.capitalize(), value=t))
    dialog = rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("pencil", size=14), "Edit", variant="soft", id="device-edit")
        ),
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title("Edit this device"),
                rx.dialog.description(
                    "The label stays valid; a new site moves the device and its open tickets.",
                    size="2",
                    color_scheme="gray",
                ),
                _choice("Site", "facilityId", sites, "Choose the site"),
                _text("Serial number", "serialNumber"),
                _text("Installed on", "installationDate", "date"),
                _text("UDI (GS1)", "udi", hint="(01)…(21)… as printed under the barcode"),
                rx.grid(
                    _choice("Cover", "amcStatus", covers, "None"),
                    _choice("SLA tier", "slaTier", tiers, "No tier"),
                    _text("Cover starts", "amcStart", "date"),
                    _text("Cover ends", "amcEnd", "date"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=S.save, id="device-edit-save"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="460px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )
    return rx.cond(S.can_edit, dialog)
