"""A table over a list of rows, with what to do next when it is empty."""

from __future__ import annotations

import reflex as rx


def data_table(columns: list[tuple[str, str]], rows, empty: str, table_id: str) -> rx.Component:
    """A table over a list of dicts; `columns` are (key, heading)."""
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(h) for _k, h in columns])
                ),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda row: rx.table.row(*[rx.table.cell(row[k]) for k, _h in columns]),
                    )
                ),
                variant="surface",
                size="2",
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
