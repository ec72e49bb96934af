"""Service areas: a provider's hubs on a map, the editor (pincodes or a radius) and the
coverage check for any pincode and device type."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from pages.components.map_frame import map_frame
from state.service_areas import ServiceAreaState


def _area_card(area) -> rx.Component:
    s = ServiceAreaState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(area["name"], weight="bold"),
                rx.spacer(),
                rx.badge(area["maxResponseTimeHours"] + " h", variant="soft"),
                width="100%",
            ),
            rx.text(area["provider"], size="1", color_scheme="gray"),
            rx.text(
                area["pincodes"]
                + " pincodes · "
                + area["techniciansFree"]
                + " of "
                + area["technicians"]
                + " technicians free",
                size="1",
            ),
            spacing="1",
            width="100%",
        ),
        on_click=s.select(area["id"]),
        cursor="pointer",
        width="100%",
        variant=rx.cond(s.selected == area["id"], "classic", "surface"),
        class_name="area-card",
        flex_shrink="0",
    )


def _coverage_box() -> rx.Component:
    s, a = ServiceAreaState, ServiceAreaState.answer
    answer = rx.cond(
        a.contains("covered"),
        rx.callout.root(
            rx.callout.icon(rx.icon(rx.cond(a["covered"] == "True", "circle-check", "circle-x"))),
            rx.vstack(
                rx.text(
                    rx.cond(a["covered"] == "True", "Covered", "Not covered"),
                    " · ",
                    a["pincode"],
                    " ",
                    a["city"],
                    " · ",
                    a["deviceType"],
                    weight="bold",
                ),
                rx.cond(
                    a["covered"] == "True",
                    rx.text(
                        a["serviceHubName"],
                        " (",
                        a["serviceProvider"],
                        "): about ",
                        a["estimatedResponseTime"],
                        " h to respond, ",
                        a["distanceKm"],
                        " km from the hub",
                        size="2",
                    ),
                ),
                rx.text(a["reason"], size="2"),
                spacing="1",
            ),
            color_scheme=rx.cond(a["covered"] == "True", "green", "red"),
            id="coverage-answer",
        ),
    )
    return rx.card(
        rx.vstack(
            rx.heading("Check coverage", size="3"),
            rx.form(
                rx.flex(
                    rx.input(
                        name="pincode",
                        placeholder="Pincode",
                        max_length=6,
                        input_mode="numeric",
                        id="coverage-pincode",
                        width="130px",
                    ),
                    rx.select(
                        s.device_types,
                        value=s.device_type,
                        on_change=s.set_device_type,
                        id="coverage-device",
                    ),
                    rx.button("Check", type="submit", id="coverage-check"),
                    spacing="2",
                    wrap="wrap",
                    align="center",
                ),
                on_submit=s.check,
                reset_on_submit=False,
            ),
            answer,
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _editor() -> rx.Component:
    s = ServiceAreaState
    field = lambda label, control: rx.vstack(  # noqa: E731
        rx.text(label, size="1", color_scheme="gray"), control, spacing="1", width="100%"
    )
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(rx.cond(s.selected == "", "New hub", "Edit hub"), size="3"),
                field(
                    "Name",
                    rx.input(name="name", default_value=s.form_name, id="area-name", width="100%"),
                ),
                rx.flex(
                    field(
                        "Hub pincode",
                        rx.input(
                            name="hub",
                            default_value=s.form_hub,
                            max_length=6,
                            input_mode="numeric",
                            id="area-hub",
                        ),
                    ),
                    field(
                        "Radius (km)",
                        rx.input(
                            name="radius",
                            default_value=s.form_radius,
                            type="number",
                            min=1,
                            max=300,
                            id="area-radius",
                        ),
                    ),
                    field(
                        "Promise (hours)",
                        rx.input(
                            name="hours",
                            default_value=s.form_hours,
                            type="number",
                            min=0.5,
                            max=72,
                            step=0.5,
                            id="area-hours",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                field(
                    "Also cover these pincodes (comma or line separated)",
                    rx.text_area(
                        name="pincodes",
                        default_value=s.form_pincodes,
                        rows="3",
                        id="area-pincodes",
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.button("Save hub", type="submit", id="area-save"),
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=s.cancel_edit,
                    ),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=s.save,
            reset_on_submit=False,
        ),
        width="100%",
    )


def service_areas_page() -> rx.Component:
    s = ServiceAreaState
    side = rx.vstack(
        rx.cond(
            s.can_edit,
            rx.button(
                rx.icon("plus"),
                "New hub",
                on_click=s.start_edit(True),
                variant="soft",
                id="area-new",
            ),
        ),
        rx.cond(
            s.areas.length() > 0,
            rx.vstack(
                rx.foreach(s.areas, _area_card),
                spacing="2",
                width="100%",
                max_height="640px",
                overflow_y="auto",
                id="area-list",
            ),
            rx.callout.root(
                rx.callout.text("No hub yet: create one with New hub."), color_scheme="gray"
            ),
        ),
        spacing="3",
        width=["100%", "100%", "300px"],
        flex_shrink="0",
    )
    main = rx.vstack(
        _coverage_box(),
        rx.cond(s.editing, _editor()),
        rx.cond(
            s.detail.contains("name") & ~s.editing,
            rx.hstack(
                rx.heading(s.detail["name"], size="4"),
                rx.badge("hub " + s.detail["hub"]),
                rx.cond(s.detail["radius"] != "", rx.badge(s.detail["radius"] + " km")),
                rx.badge(s.detail["pincodes"] + " pincodes", variant="soft"),
                rx.spacer(),
                rx.cond(
                    s.can_edit,
                    rx.button(
                        "Edit",
                        on_click=s.start_edit(False),
                        variant="soft",
                        size="1",
                        id="area-edit",
                    ),
                ),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
        ),
        rx.cond(
            s.map_src != "",
            map_frame(
                src=s.map_src,
                width="100%",
                height="420px",
                id="area-map",
                title="Map of the service area",
                style={"border": "1px solid var(--gray-a5)", "borderRadius": "8px"},
            ),
        ),
        data_table(
            [("name", "Technician"), ("skills", "Device skills"), ("status", "Now")],
            s.technicians,
            "No technician mapped to this hub yet.",
            "area-technicians",
        ),
        spacing="3",
        width="100%",
        min_width="0",
    )
    return layout(
        "Service areas",
        rx.flex(
            side,
            main,
            spacing="4",
            width="100%",
            direction=rx.breakpoints(initial="column", md="row"),
        ),
        "Hubs, the pincodes each covers, the technicians behind them, and whether "
        "any pincode is covered for a device type.",
    )
