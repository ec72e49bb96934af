"""Facilities of the organisation and those shared with it."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from state.facilities import FacilitiesState


def facilities_page() -> rx.Component:
    return layout(
        "Facilities",
        data_table(
            [
                ("name", "Facility"),
                ("code", "Code"),
                ("type", "Type"),
                ("city", "City"),
                ("state", "State"),
                ("pincode", "Pincode"),
                ("beds", "Beds"),
                ("specialties", "Specialties"),
                ("access", "Access"),
            ],
            FacilitiesState.facilities,
            "No facilities yet. A hospital or lab adds its sites, or shares them with you.",
            "facility-table",
        ),
        "Sites your organisation runs, and sites customers have shared with you. A file of "
        "devices names a site by its code or its name.",
    )
