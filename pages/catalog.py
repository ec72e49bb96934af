"""The marketplace catalog: search with facet filters and "Load more"; OEM users also add
SKUs and import CSV price lists."""

from __future__ import annotations

import reflex as rx

from pages.catalog_forms import add_form, import_form
from pages.components.layout import layout
from state.catalog import CatalogState

_FACET_TITLES = (
    ("category", "Category"),
    ("riskClass", "Risk class"),
    ("oem", "OEM"),
    ("priceBand", "List price"),
)


def _facet(key: str, title: str) -> rx.Component:
    entries = CatalogState.facets[key]
    return rx.vstack(
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
        rx.cond(
            entries.length() == 0,
            rx.text("None for these words", size="1", color_scheme="gray"),
        ),
        spacing="2",
        align="start",
        width="100%",
        id=f"facet-{key}",
    )


def _spec_entry(e) -> rx.Component:
    return rx.vstack(
        rx.cond(e["title"] != "", rx.text(e["title"], size="2", weight="bold")),
        rx.checkbox(
            rx.hstack(
                rx.text(e["label"], size="2"),
                rx.text(e["count"], size="1", color_scheme="gray"),
                spacing="2",
            ),
            checked=e["selected"] == "yes",
            on_change=lambda on: CatalogState.toggle_spec(e["choice"], on),
            size="1",
        ),
        spacing="2",
        align="start",
    )


def _spec_facets() -> rx.Component:
    return rx.cond(
        CatalogState.spec_entries.length() > 0,
        rx.vstack(
            rx.foreach(CatalogState.spec_entries, _spec_entry),
            spacing="2",
            align="start",
            width="100%",
            id="facet-specs",
        ),
    )


def _facets() -> rx.Component:
    return rx.vstack(
        _spec_facets(),
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
        id="catalog-facets",
    )


def _card(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.text(item["name"], weight="bold", size="3"),
                    href=item["href"],
                    class_name="product-link",
                ),
                rx.spacer(),
                rx.badge("Class " + item["risk"], color_scheme=item["riskColour"], variant="soft"),
                width="100%",
                align="start",
            ),
            rx.text(
                item["code"] + " · " + item["category"] + " · " + item["oem"],
                size="1",
                color_scheme="gray",
                class_name="card-code",
            ),
            rx.hstack(
                rx.text(item["price"], weight="medium"),
                rx.text("+ " + item["gst"], size="1", color_scheme="gray"),
                align="baseline",
                spacing="2",
            ),
            rx.cond(
                item["specs"] != "",
                rx.hstack(
                    rx.icon("ruler", size=14),
                    rx.text(item["specs"], size="2", weight="medium", class_name="card-specs"),
                    spacing="1",
                    align="center",
                ),
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


def _empty() -> rx.Component:
    s = CatalogState
    return rx.callout.root(
        rx.callout.icon(rx.icon("search-x")),
        rx.vstack(
            rx.callout.text(
                rx.cond(
                    s.unmatched != "",
                    s.unmatched + " matches nothing in the catalog.",
                    "No SKU matches these words and filters.",
                )
            ),
            rx.cond(
                s.did_you_mean != "",
                rx.hstack(
                    rx.text("Did you mean", size="2"),
                    rx.button(
                        s.did_you_mean,
                        on_click=s.use_suggestion,
                        variant="surface",
                        size="1",
                        id="did-you-mean",
                    ),
                    align="center",
                    spacing="2",
                ),
            ),
            rx.cond(
                s.without_filters > 0,
                rx.button(
                    "Drop the filters: " + s.without_filters.to_string() + " SKUs match",
                    on_click=s.clear_filters,
                    variant="surface",
                    size="1",
                    id="drop-filters",
                ),
            ),
            rx.text(
                "Try a product type (MRI, ventilator, ECG), a model name or a SKU code; "
                "spelling slips and the trade's other names are forgiven.",
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            align="start",
        ),
        color_scheme="gray",
        width="100%",
        id="catalog-empty",
    )


def _results() -> rx.Component:
    s = CatalogState
    return rx.vstack(
        rx.text(s.summary, size="2", color_scheme="gray", id="catalog-summary"),
        rx.cond(
            s.match_note != "",
            rx.text(s.match_note, size="1", color_scheme="gray", id="catalog-match-note"),
        ),
        rx.cond(
            s.items.length() > 0,
            rx.vstack(rx.foreach(s.items, _card), spacing="2", width="100%", id="catalog-results"),
            _empty(),
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
            value=CatalogState.q,
            placeholder="Search by product, model or SKU code — e.g. ventilator, MRI 1.5 tesla, MVI-US9",
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
            rx.tabs.content(rx.box(add_form(), padding_top="12px"), value="add"),
            rx.tabs.content(rx.box(import_form(), padding_top="12px"), value="import"),
            default_value="search",
            width="100%",
        ),
        "Devices listed by OEMs on the marketplace, with list prices before GST.",
    )
