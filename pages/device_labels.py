"""Printing a device's labels: the sheet picker (start at label n of a part-used sheet)
and the "labels stuck on" confirmation, shared by the registry and a device's page."""

from __future__ import annotations

import reflex as rx


def _sheet_position(s, n: int) -> rx.Component:
    """One label of the 3 x 7 sheet: used ones before the chosen start are struck out."""
    return rx.box(
        rx.text(str(n), size="1", weight=rx.cond(s.print_start == n, "bold", "regular")),
        on_click=s.set_print_start(n),
        id=f"label-pos-{n}",
        cursor="pointer",
        text_align="center",
        padding="4px 0",
        border_radius="4px",
        border=rx.cond(s.print_start == n, "2px solid var(--teal-9)", "1px solid var(--gray-6)"),
        background=rx.cond(
            s.print_start > n,
            "var(--gray-4)",
            rx.cond(s.print_start == n, "var(--teal-3)", "transparent"),
        ),
        text_decoration=rx.cond(s.print_start > n, "line-through", "none"),
    )


def print_dialog(s, trigger: rx.Component, on_print) -> rx.Component:
    """Choose the first free label of the sheet in the printer, then print."""
    return rx.dialog.root(
        rx.dialog.trigger(trigger),
        rx.dialog.content(
            rx.dialog.title("Print labels"),
            rx.dialog.description(
                "A4 sheet of 21 labels (63.5 × 38.1 mm). Click the first free label of the "
                "sheet in the printer; the ones before it stay unused.",
                size="2",
            ),
            rx.grid(
                *[_sheet_position(s, n) for n in range(1, 22)],
                columns="3",
                spacing="1",
                width="180px",
                margin_y="12px",
                id="sheet-picker",
            ),
            rx.text("Starts at label ", rx.text.strong(s.print_start.to_string()), size="2"),
            rx.checkbox(
                "Add the facility cover pages (checklist and device list)",
                checked=s.print_cover,
                on_change=s.set_print_cover,
                size="2",
                margin_top="8px",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.dialog.close(
                    rx.button(
                        rx.icon("printer", size=14), "Print", on_click=on_print, id="print-go"
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="420px",
        ),
    )


def stuck_on_callout(s) -> rx.Component:
    """After printing: the devices count as printed once the labels are on them."""
    return rx.cond(
        s.print_job != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("sticker")),
            rx.hstack(
                rx.text(
                    rx.cond(s.print_count == 1, "1 label", s.print_count.to_string() + " labels"),
                    " printed to the PDF. Once stuck on the devices, say so: "
                    "until then nothing is marked printed.",
                    size="2",
                ),
                rx.button(
                    "Labels stuck on", size="1", on_click=s.confirm_labels, id="labels-stuck"
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            color_scheme="teal",
            id="print-pending",
        ),
    )
