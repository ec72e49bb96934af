"""A product's page: name, OEM, category, risk class, list price, specifications and
description of one SKU, with "Request a quote" for buyers."""

from __future__ import annotations

import reflex as rx

from pages.components.layout import layout
from state.product import ProductState


def _fact(label: str, value, id_: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(rx.text(value, id=id_)),
    )


def _rows(rows, empty: str, id_: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.data_list.root(
            rx.foreach(
                rows,
                lambda r: rx.data_list.item(
                    rx.data_list.label(r["label"]),
                    rx.data_list.value(rx.text(r["value"], weight="medium")),
                ),
            ),
            id=id_,
        ),
        rx.text(empty, size="2", color_scheme="gray", id=id_),
    )


def _actions() -> rx.Component:
    s = ProductState
    return rx.hstack(
        rx.cond(
            s.can_request,
            rx.link(
                rx.button(rx.icon("file-plus", size=16), "Request a quote", size="3"),
                href=s.info["quote"],
                id="product-request-quote",
            ),
        ),
        rx.cond(
            s.info["datasheet"] != "",
            rx.link(
                rx.button(rx.icon("file-text", size=16), "Datasheet", variant="soft", size="3"),
                href=s.info["datasheet"],
                is_external=True,
            ),
        ),
        rx.link(
            rx.button(rx.icon("arrow-left", size=16), "Back to the catalog", variant="ghost"),
            href="/catalog",
        ),
        spacing="3",
        wrap="wrap",
        align="center",
    )


def _product() -> rx.Component:
    s = ProductState
    return rx.vstack(
        rx.hstack(
            rx.heading(s.info["name"], size="6", id="product-name"),
            rx.badge(s.info["category"], variant="soft", size="2"),
            rx.badge(
                "Class " + s.info["risk"],
                color_scheme=s.info["riskColour"],
                variant="soft",
                size="2",
            ),
            rx.cond(s.info["listed"] != "", rx.badge(s.info["listed"], color_scheme="gray")),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.hstack(
            rx.text(s.info["price"], size="6", weight="bold", id="product-price"),
            rx.text(s.info["gst"] + " · list price", size="2", color_scheme="gray"),
            align="baseline",
            spacing="2",
        ),
        _actions(),
        rx.flex(
            rx.card(
                rx.vstack(
                    rx.heading("Product", size="3"),
                    rx.data_list.root(
                        _fact("OEM", s.info["oem"], "product-oem"),
                        _fact("SKU code", s.info["code"], "product-code"),
                        _fact("Category", s.info["category"], "product-category"),
                        _fact("Risk class (IMDR)", s.info["riskText"], "product-risk"),
                    ),
                    spacing="3",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.heading("Specifications", size="3"),
                    _rows(s.specs, "The OEM states no specifications.", "product-specs"),
                    spacing="3",
                ),
                width="100%",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="4",
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Description", size="3"),
                rx.text(s.info["description"], id="product-description"),
                rx.cond(
                    s.attrs.length() > 0,
                    rx.vstack(
                        rx.heading("Other details", size="2", color_scheme="gray"),
                        _rows(s.attrs, "", "product-attrs"),
                        spacing="2",
                    ),
                ),
                spacing="3",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def product_page() -> rx.Component:
    return layout(
        "Product",
        rx.cond(
            ProductState.missing,
            rx.callout.root(
                rx.callout.icon(rx.icon("search-x")),
                rx.callout.text("No such product. Search the catalog for another."),
                rx.link("Open the catalog", href="/catalog"),
                id="product-missing",
            ),
            _product(),
        ),
    )
