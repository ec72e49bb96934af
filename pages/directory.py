"""The facility and laboratory directory (filters, table, clustered map, nearby search,
labs by tests) and one facility's page."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from pages.components.map_frame import map_frame
from state.directory import (
    ACCREDITATION_CHOICES,
    TYPE_CHOICES,
    DirectoryImportState,
    DirectoryState,
    FacilityState,
)


def _select(name: str, value, options, label: str, element_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.select(
            options,
            value=value,
            on_change=lambda v: DirectoryState.set_filter(name, v),
            id=element_id,
        ),
        spacing="1",
    )


def _name_link(row) -> rx.Component:
    return rx.link(row["name"], href="/directory/" + row["id"], weight="medium")


def _facility_table(rows, empty: str, table_id: str, with_distance: bool) -> rx.Component:
    heads = ["Facility", "Type", "City", "Pincode", "Beds", "Accreditations"]
    heads += ["Distance"] if with_distance else []
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in heads])),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda r: rx.table.row(
                            rx.table.cell(_name_link(r)),
                            rx.table.cell(r["type"]),
                            rx.table.cell(r["city"]),
                            rx.table.cell(r["pincode"]),
                            rx.table.cell(r["beds"]),
                            rx.table.cell(r["accreditations"]),
                            *([rx.table.cell(r["distance"])] if with_distance else []),
                        ),
                    )
                ),
                variant="surface",
                size="1",
                width="100%",
                id=table_id,
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.callout.root(
            rx.callout.icon(rx.icon("info")), rx.callout.text(empty), color_scheme="gray"
        ),
    )


def _browse() -> rx.Component:
    s = DirectoryState
    filters = rx.form(
        rx.flex(
            rx.vstack(
                rx.text("Name, city or pincode", size="1", color_scheme="gray"),
                rx.input(
                    name="q",
                    default_value=s.q,
                    placeholder="e.g. Pune or 560034",
                    id="directory-q",
                    width="240px",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text("State", size="1", color_scheme="gray"),
                rx.select.root(
                    rx.select.trigger(placeholder="All states", id="directory-state"),
                    rx.select.content(
                        rx.select.item("All states", value="all"),
                        rx.foreach(s.states, lambda st: rx.select.item(st, value=st)),
                    ),
                    value=s.state_name,
                    on_change=lambda v: s.set_filter("state_name", v),
                ),
                spacing="1",
            ),
            _select("ftype", s.ftype, TYPE_CHOICES, "Type", "directory-type"),
            _select(
                "accreditation",
                s.accreditation,
                ACCREDITATION_CHOICES,
                "Accreditation",
                "directory-accreditation",
            ),
            rx.button("Search", type="submit", id="directory-search"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=s.apply,
        reset_on_submit=False,
    )
    pager = rx.hstack(
        rx.text(s.range_label, size="2", id="directory-range"),
        rx.button(
            rx.icon("chevron-left"),
            on_click=s.page(-1),
            variant="soft",
            size="1",
            disabled=s.offset == 0,
            aria_label="Previous page",
        ),
        rx.button(
            rx.icon("chevron-right"),
            on_click=s.page(1),
            variant="soft",
            size="1",
            disabled=s.offset + 50 >= s.total,
            aria_label="Next page",
        ),
        align="center",
        spacing="2",
    )
    return rx.vstack(
        filters,
        rx.cond(
            s.map_src != "",
            map_frame(
                links_out=True,
                src=s.map_src,
                width="100%",
                height="460px",
                id="directory-map",
                title="Map of the facilities",
                loading="lazy",
                style={"border": "1px solid var(--gray-a5)", "borderRadius": "8px"},
            ),
        ),
        rx.text(
            "Points cluster by area; zoom in or click a cluster to split it. Colours: "
            "red hospitals and emergency, pink cardiac and cancer, violet labs, blue "
            "imaging, green primary care, amber others.",
            size="1",
            color_scheme="gray",
        ),
        pager,
        _facility_table(
            s.rows,
            "No facility matches these filters; clear some of them.",
            "directory-table",
            False,
        ),
        spacing="3",
        width="100%",
    )


def _nearby() -> rx.Component:
    s = DirectoryState
    return rx.vstack(
        rx.form(
            rx.flex(
                rx.input(
                    name="pincode",
                    placeholder="Pincode, e.g. 110029",
                    max_length=6,
                    input_mode="numeric",
                    id="nearby-pincode",
                    width="180px",
                ),
                rx.input(
                    name="radius",
                    default_value="10",
                    type="number",
                    min=1,
                    max=200,
                    id="nearby-radius",
                    width="110px",
                ),
                rx.text("km", size="2"),
                rx.button("Find nearby", type="submit", id="nearby-search"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            on_submit=s.nearby,
            reset_on_submit=False,
        ),
        rx.text("Uses the Type filter of the Browse tab.", size="1", color_scheme="gray"),
        rx.cond(s.near_note != "", rx.text(s.near_note, size="2", id="nearby-note")),
        _facility_table(
            s.near_rows,
            "Give a pincode and a radius; the nearest come first.",
            "nearby-table",
            True,
        ),
        spacing="3",
        width="100%",
    )


def _labs() -> rx.Component:
    s = DirectoryState
    return rx.vstack(
        rx.flex(
            rx.foreach(
                s.test_categories,
                lambda c: rx.checkbox(
                    c.replace("_", " "),
                    checked=s.lab_categories.contains(c),
                    on_change=lambda on: s.toggle_category(c, on),
                    id="test-" + c,
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        rx.form(
            rx.flex(
                rx.input(
                    name="pincode",
                    placeholder="Pincode, e.g. 110001",
                    max_length=6,
                    input_mode="numeric",
                    id="labs-pincode",
                    width="180px",
                ),
                rx.input(
                    name="radius",
                    default_value="5",
                    type="number",
                    min=1,
                    max=200,
                    id="labs-radius",
                    width="110px",
                ),
                rx.text("km", size="2"),
                rx.button("Find laboratories", type="submit", id="labs-search"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            on_submit=s.labs,
            reset_on_submit=False,
        ),
        rx.cond(s.lab_note != "", rx.text(s.lab_note, size="2", id="labs-note")),
        data_table(
            [
                ("name", "Laboratory"),
                ("type", "Type"),
                ("pincode", "Pincode"),
                ("tests", "Test categories"),
                ("accreditations", "Accreditations"),
                ("distance", "Distance"),
            ],
            s.lab_rows,
            "Tick the tests needed and give a pincode; only labs offering all of "
            "them are listed, nearest first.",
            "labs-table",
        ),
        spacing="3",
        width="100%",
    )


def _import() -> rx.Component:
    s = DirectoryImportState
    return rx.vstack(
        rx.text(
            "One row per facility, UTF-8 CSV with a header. Required: external_id, name, "
            "pincode, facility_type. Optional: address, bed_count, specialties, "
            "accreditations, ownership, latitude, longitude, phone, email, equipment "
            "(MRI:1;CT:2), lab_type, test_categories, lab_accreditations; lists use ';'. "
            "Importing the same external_id again updates the facility.",
            size="2",
            color_scheme="gray",
        ),
        rx.upload(
            rx.vstack(
                rx.icon("file-up", size=28),
                rx.text("Drop a .csv file, or click"),
                rx.text(rx.selected_files("directory-file"), size="1", color_scheme="gray"),
                align="center",
                spacing="1",
            ),
            id="directory-file",
            accept={"text/csv": [".csv"]},
            max_files=1,
            border="1px dashed var(--gray-a7)",
            padding="20px",
            width="100%",
        ),
        rx.button(
            "Import",
            on_click=s.upload(rx.upload_files(upload_id="directory-file")),
            loading=s.running,
            id="directory-import",
        ),
        rx.cond(
            s.running | (s.summary != ""),
            rx.card(
                rx.vstack(
                    rx.text(s.file_name, weight="bold"),
                    rx.progress(value=s.percent, max=100, width="100%"),
                    rx.text(
                        rx.cond(
                            s.running,
                            s.done.to_string() + " of " + s.total.to_string() + " rows written",
                            s.summary,
                        ),
                        id="directory-import-summary",
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        rx.cond(
            s.errors.length() > 0,
            data_table(
                [
                    ("row", "Line"),
                    ("externalId", "External id"),
                    ("column", "Column"),
                    ("error", "Problem"),
                ],
                s.errors,
                "",
                "directory-import-errors",
            ),
        ),
        spacing="3",
        width="100%",
        max_width="900px",
    )


def directory_page() -> rx.Component:
    return layout(
        "Facility directory",
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Browse", value="browse"),
                rx.tabs.trigger("Nearby", value="nearby", id="tab-nearby"),
                rx.tabs.trigger("Laboratories by tests", value="labs", id="tab-labs"),
                rx.cond(
                    DirectoryImportState.can_import,
                    rx.tabs.trigger("Import CSV", value="import", id="tab-import"),
                ),
            ),
            rx.tabs.content(rx.box(_browse(), padding_top="12px"), value="browse"),
            rx.tabs.content(rx.box(_nearby(), padding_top="12px"), value="nearby"),
            rx.tabs.content(rx.box(_labs(), padding_top="12px"), value="labs"),
            rx.tabs.content(rx.box(_import(), padding_top="12px"), value="import"),
            default_value="browse",
            width="100%",
        ),
        "Hospitals, laboratories, imaging and primary-care sites across India, on real pincodes.",
    )


def _fact(label: str, key: str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(FacilityState.info[key]))


def facility_page() -> rx.Component:
    s = FacilityState
    body = rx.vstack(
        rx.hstack(
            rx.heading(s.info["name"], size="6", id="facility-name"),
            rx.badge(s.info["type"], variant="soft"),
            rx.badge(s.info["tier"]),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.card(
            rx.data_list.root(
                _fact("Address", "address"),
                _fact("Place", "place"),
                _fact("Beds", "beds"),
                _fact("Ownership", "ownership"),
                _fact("Specialties", "specialties"),
                _fact("Accreditations", "accreditations"),
                _fact("Phone", "phone"),
                _fact("E-mail", "email"),
                _fact("Coordinates", "coords"),
                _fact("Listed by", "source"),
            )
        ),
        rx.heading("Equipment by category", size="4"),
        data_table(
            [("category", "Category"), ("count", "Units")],
            s.equipment,
            "No equipment recorded for this site.",
            "facility-equipment",
        ),
        rx.heading("Laboratories", size="4"),
        data_table(
            [
                ("name", "Laboratory"),
                ("type", "Type"),
                ("tests", "Test categories"),
                ("accreditations", "Accreditations"),
            ],
            s.labs,
            "No laboratory at this site.",
            "facility-labs",
        ),
        rx.heading("Registered devices", size="4"),
        rx.cond(
            s.devices.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Serial", "Model", "Category", "Status", "Cover")
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            s.devices,
                            lambda d: rx.table.row(
                                rx.table.cell(rx.link(d["serial"], href="/devices/" + d["id"])),
                                rx.table.cell(d["model"]),
                                rx.table.cell(d["category"]),
                                rx.table.cell(d["status"]),
                                rx.table.cell(d["amc"]),
                            ),
                        )
                    ),
                    variant="surface",
                    size="1",
                    width="100%",
                    id="facility-devices",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No device registered here that you can see.", color_scheme="gray", size="2"),
        ),
        rx.heading("Within 5 km", size="4"),
        _facility_table(s.nearby, "Nothing else listed within 5 km.", "facility-nearby", True),
        spacing="3",
        width="100%",
    )
    return layout(
        "Facility",
        rx.cond(
            s.missing,
            rx.callout.root(
                rx.callout.text("No such facility, or it is not shared with you."),
                color_scheme="orange",
            ),
            body,
        ),
    )
