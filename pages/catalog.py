"""The marketplace catalog: search with facet filters and "Load more"; OEM users also add
SKUs and import CSV price lists."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from state.catalog import CatalogImportState, CatalogState, SkuFormState

_FACET_TITLES = (
    ("category", "Category"),
    ("riskClass", "Risk class"),
    ("oem", "OEM"),
    ("priceBand", "List price"),
)
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


def _facet(key: str, title: str) -> rx.Component:
    entries = CatalogState.facets[key]
    return rx.cond(
        entries.length() > 0,
        rx.vstack(
            rx.text(title, size="2", weight="bold"),
            rx.foreach(
                entries,
                lambda e: rx.checkbox(
                    rx.hstack(
                        rx.text(e["label"], size="2"),
                        rx.text(e["count"], size="1", color_scheme="gray"),
                        spacing="2",
                    ),
                    checked=e["selected"] == "yes",
                    on_change=lambda on: CatalogState.toggle(key, e["value"], on),
                    size="1",
                ),
            ),
            spacing="2",
            align="start",
            width="100%",
            id=f"facet-{key}",
        ),
    )


def _facets() -> rx.Component:
    return rx.vstack(
        *[_facet(key, title) for key, title in _FACET_TITLES],
        rx.cond(
            CatalogState.has_filters,
            rx.button(
                "Clear filters",
                on_click=CatalogState.clear_filters,
                variant="soft",
                size="1",
                id="clear-filters",
            ),
        ),
        spacing="4",
        width=["100%", "100%", "240px"],
        min_width=["0", "0", "240px"],
    )


def _card(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item["name"], weight="bold", size="3"),
                rx.spacer(),
                rx.badge("Class " + item["risk"], color_scheme=item["riskColour"], variant="soft"),
                width="100%",
                align="start",
            ),
            rx.text(
                item["code"] + " · " + item["category"] + " · " + item["oem"],
                size="1",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.text(item["price"], weight="medium"),
                rx.text("+ " + item["gst"], size="1", color_scheme="gray"),
                align="baseline",
                spacing="2",
            ),
            rx.cond(
                item["description"] != "",
                rx.text(item["description"], size="2", color_scheme="gray", trim="both"),
            ),
            rx.hstack(
                rx.cond(
                    item["datasheet"] != "",
                    rx.link(
                        rx.hstack(
                            rx.icon("file-text", size=14),
                            rx.text("Datasheet", size="2"),
                            spacing="1",
                            align="center",
                        ),
                        href=item["datasheet"],
                        is_external=True,
                    ),
                ),
                rx.cond(
                    CatalogState.can_request,
                    rx.link(
                        rx.hstack(
                            rx.icon("file-plus", size=14),
                            rx.text("Request a quote", size="2"),
                            spacing="1",
                            align="center",
                        ),
                        href="/rfqs/new?sku=" + item["id"],
                        class_name="request-quote",
                    ),
                ),
                spacing="4",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _results() -> rx.Component:
    s = CatalogState
    return rx.vstack(
        rx.text(s.summary, size="2", color_scheme="gray", id="catalog-summary"),
        rx.cond(
            s.items.length() > 0,
            rx.vstack(rx.foreach(s.items, _card), spacing="2", width="100%", id="catalog-results"),
            rx.callout.root(
                rx.callout.icon(rx.icon("search-x")),
                rx.callout.text(
                    "No SKU matches. Try fewer words or clear some filters; spelling "
                    "slips are forgiven, so a product type or a model name usually works."
                ),
                color_scheme="gray",
                id="catalog-empty",
            ),
        ),
        rx.cond(
            s.has_more,
            rx.button(
                "Load more", on_click=s.load_more, variant="soft", width="100%", id="catalog-more"
            ),
        ),
        spacing="3",
        width="100%",
    )


def _search() -> rx.Component:
    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("search")),
            default_value=CatalogState.q,
            placeholder="Search by product, model or SKU code — e.g. ventilator, 1.5T MRI, MVI-US9",
            on_change=CatalogState.type_query.debounce(300),
            width="100%",
            size="3",
            id="catalog-q",
        ),
        rx.flex(
            _facets(),
            _results(),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="5",
            width="100%",
            align="start",
        ),
        spacing="4",
        width="100%",
    )


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"), control, spacing="1", width="100%"
    )


def _add_form() -> rx.Component:
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


def _import() -> rx.Component:
    s = CatalogImportState
    return rx.vstack(
        rx.text(
            "UTF-8 CSV with a header row. Required columns: code, name, category, "
            'risk_class (A–D), list_price_inr (e.g. 1250000 or "12,50,000"). Optional: '
            "gst_rate (default 12), description, datasheet_url, attributes (JSON, or "
            "key=value pairs separated by ';'). A code already in your catalog is "
            "updated, so importing the same file again adds nothing.",
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


def catalog_page() -> rx.Component:
    return layout(
        "Catalog",
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Search", value="search"),
                rx.cond(
                    CatalogState.can_edit,
                    rx.fragment(
                        rx.tabs.trigger("Add SKU", value="add", id="tab-add-sku"),
                        rx.tabs.trigger("Import CSV", value="import", id="tab-import-csv"),
                    ),
                ),
            ),
            rx.tabs.content(rx.box(_search(), padding_top="12px"), value="search"),
            rx.tabs.content(rx.box(_add_form(), padding_top="12px"), value="add"),
            rx.tabs.content(rx.box(_import(), padding_top="12px"), value="import"),
            default_value="search",
            width="100%",
        ),
        "Devices listed by OEMs on the marketplace, with list prices before GST.",
    )
