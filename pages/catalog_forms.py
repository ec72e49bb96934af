"""The OEM's tabs of the catalog page: adding a SKU and importing a CSV price list."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from state.catalog import CatalogImportState, SkuFormState

CATEGORY_HINTS = (
    "MRI",
    "CT",
    "X-ray",
    "Ultrasound",
    "Patient monitor",
    "Ventilator",
    "Infusion pump",
    "Defibrillator",
    "Haematology analyzer",
    "Biochemistry analyzer",
)


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"), control, spacing="1", width="100%"
    )


def add_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                _field(
                    "SKU code",
                    rx.input(
                        name="code",
                        placeholder="e.g. MVI-US12",
                        required=True,
                        max_length=64,
                        id="sku-code",
                    ),
                ),
                _field(
                    "Product name",
                    rx.input(
                        name="name",
                        required=True,
                        max_length=200,
                        placeholder="e.g. Clarus 12 Ultrasound",
                        id="sku-name",
                    ),
                ),
                spacing="3",
                direction=rx.breakpoints(initial="column", sm="row"),
                width="100%",
            ),
            rx.flex(
                _field(
                    "Category",
                    rx.input(
                        name="category",
                        required=True,
                        max_length=80,
                        list="sku-categories",
                        id="sku-category",
                    ),
                ),
                _field(
                    "Risk class (IMDR)",
                    rx.select(["A", "B", "C", "D"], name="risk", default_value="B", id="sku-risk"),
                ),
                _field(
                    "List price, ₹ before GST",
                    rx.input(
                        name="price",
                        required=True,
                        placeholder="e.g. 12,50,000",
                        input_mode="decimal",
                        id="sku-price",
                    ),
                ),
                _field(
                    "GST %",
                    rx.select(
                        ["5", "12", "18", "0", "28"], name="gst", default_value="12", id="sku-gst"
                    ),
                ),
                spacing="3",
                direction=rx.breakpoints(initial="column", sm="row"),
                width="100%",
            ),
            rx.el.datalist(*[rx.el.option(value=c) for c in CATEGORY_HINTS], id="sku-categories"),
            _field(
                "Description",
                rx.text_area(name="description", max_length=4000, rows="3", id="sku-description"),
            ),
            _field(
                "Datasheet link",
                rx.input(name="datasheet", type="url", placeholder="https://…", id="sku-datasheet"),
            ),
            _field(
                "Specifications",
                rx.input(
                    name="specs",
                    placeholder="the category's figures, e.g. fieldStrengthT=1.5;rfChannels=32",
                    id="sku-specs",
                ),
            ),
            _field(
                "Attributes",
                rx.input(
                    name="attributes",
                    placeholder="e.g. probes=3;portable=true",
                    id="sku-attributes",
                ),
            ),
            rx.button("Add SKU", type="submit", id="sku-add"),
            spacing="3",
            width="100%",
            max_width="720px",
        ),
        on_submit=SkuFormState.add,
        id="sku-form",
    )


def import_form() -> rx.Component:
    s = CatalogImportState
    return rx.vstack(
        rx.text(
            "UTF-8 CSV with a header row. Required columns: code, name, category, "
            'risk_class (A–D), list_price_inr (e.g. 1250000 or "12,50,000"). Optional: '
            "gst_rate (default 12), description, datasheet_url, attributes (JSON, or "
            "key=value pairs separated by ';'), specs (the category's figures, e.g. "
            "fieldStrengthT=1.5;rfChannels=32 for an MRI, slices=128 for a CT, channels=12 for "
            "an ECG machine). A code already in your catalog is updated, so importing the "
            "same file again adds nothing.",
            size="2",
            color_scheme="gray",
        ),
        rx.upload(
            rx.vstack(
                rx.icon("file-up", size=28),
                rx.text("Drop a .csv file, or click"),
                rx.text(rx.selected_files("catalog-file"), size="1", color_scheme="gray"),
                align="center",
                spacing="1",
            ),
            id="catalog-file",
            accept={"text/csv": [".csv"]},
            max_files=1,
            border="1px dashed var(--gray-a7)",
            padding="20px",
            width="100%",
        ),
        rx.button(
            "Import",
            on_click=s.upload(rx.upload_files(upload_id="catalog-file")),
            loading=s.running,
            id="catalog-import",
        ),
        rx.cond(
            s.summary != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("info")),
                rx.callout.text(s.file_name + ": " + s.summary, id="catalog-import-summary"),
                width="100%",
            ),
        ),
        rx.cond(
            s.errors.length() > 0,
            data_table(
                [("line", "Line"), ("code", "Code"), ("column", "Column"), ("reason", "Problem")],
                s.errors,
                "",
                "catalog-import-errors",
            ),
        ),
        spacing="3",
        width="100%",
        max_width="900px",
    )
