"""Tables over a list of rows, with what to do next when the list is empty."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx


def record_table(
    headings: list[str],
    rows,
    row: Callable[..., rx.Component],
    empty,
    table_id: str,
    size: str = "2",
    max_height: str | None = None,
) -> rx.Component:
    """A table drawing each of `rows` with `row`; `empty` (text or a Var) when there are none.
    With `max_height`, a long table scrolls within that height under its header, so the
    page below it (charts, other lists) stays in reach."""
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headings])),
                rx.table.body(rx.foreach(rows, row)),
                variant="surface",
                size=size,
                width="100%",
                id=table_id,
            ),
            overflow_x="auto",
            width="100%",
            **({"max_height": max_height, "overflow_y": "auto"} if max_height else {}),
        ),
        rx.callout.root(
            rx.callout.icon(rx.icon("info")), rx.callout.text(empty), color_scheme="gray"
        ),
    )


def data_table(
    columns: list[tuple[str, str]],
    rows,
    empty: str,
    table_id: str,
    max_height: str | None = None,
) -> rx.Component:
    """A table over a list of dicts; `columns` are (key, heading). With `max_height` it
    scrolls within that height, as `record_table` does."""
    return record_table(
        [h for _k, h in columns],
        rows,
        lambda row: rx.table.row(*[rx.table.cell(row[k]) for k, _h in columns]),
        empty,
        table_id,
        max_height=max_height,
    )
