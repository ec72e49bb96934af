"""The Reflex entry: the pages of pages/registry.py, the theme, and the REST API on the
same port."""

from __future__ import annotations

import reflex as rx

from app.api import create_api
from pages.registry import SCREENS

app = rx.App(
    api_transformer=create_api(),
    head_components=[
        rx.el.meta(name="theme-color", content="#0f766e"),
        rx.el.link(rel="icon", href="/favicon.ico", sizes="any"),
        rx.el.link(rel="apple-touch-icon", href="/field/icons/apple-touch-icon.png"),
    ],
)
for screen in SCREENS:
    app.add_page(
        screen.component,
        route=screen.path,
        title=f"{screen.title} · Yantra",
        on_load=screen.on_load,
    )
