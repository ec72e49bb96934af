"""The SKU catalog (the marketplace issue adds search and facets)."""

from __future__ import annotations

import reflex as rx

from app.shell import data_table, layout
from state.pages import CatalogState


def catalog_page() -> rx.Component:
    return layout(
        "Catalog",
        data_table(
            [("code", "SKU"), ("name", "Product"), ("category", "Category"),
             ("risk", "Risk class"), ("oem", "OEM"), ("price", "List price"), ("gst", "GST")],
            CatalogState.skus, "No SKUs are listed yet. OEMs add them from their catalog.",
            "sku-table"),
        "Devices listed by OEMs on the marketplace, with list prices before GST.",
    )
