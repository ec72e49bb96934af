"""The forms that move an order: shipping (transporter, docket number), the goods-received
note and the installation report, and the records they leave on the order."""

from __future__ import annotations

import reflex as rx

from state.orders import CHECK_ITEMS, CONDITION_ITEMS, OrdersState


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def _form_error() -> rx.Component:
    return rx.cond(
        OrdersState.form_error != "",
        rx.callout.root(
            rx.callout.text(OrdersState.form_error), color_scheme="red", id="order-form-error"
        ),
    )


def _photos(hint: str) -> rx.Component:
    s = OrdersState
    return _field(
        "Photos",
        rx.vstack(
            rx.hstack(
                rx.upload(
                    rx.text(
                        rx.icon("camera", size=14), " Choose photos (JPEG, PNG, WebP)", size="2"
                    ),
                    id="order-photos",
                    accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]},
                    max_files=4,
                    border="1px dashed var(--gray-a7)",
                    padding="6px 12px",
                ),
                rx.text(rx.selected_files("order-photos"), size="1", color_scheme="gray"),
                rx.button(
                    "Add photos",
                    type="button",
                    variant="soft",
                    size="1",
                    on_click=s.upload_photos(rx.upload_files(upload_id="order-photos")),
                    id="order-photos-add",
                ),
                align="center",
                wrap="wrap",
            ),
            rx.text(
                rx.cond(
                    s.photo_names.length() > 0,
                    "Kept: " + s.photo_names.join(", "),
                    hint,
                ),
                size="1",
                color_scheme="gray",
                id="order-photos-kept",
            ),
            spacing="1",
        ),
    )


def ship_form() -> rx.Component:
    return rx.form(
        _form_error(),
        rx.hstack(
            _field(
                "Transporter",
                rx.input(name="transporter", placeholder="e.g. Safexpress", id="transporter"),
            ),
            _field(
                "Docket (LR/AWB) number",
                rx.input(name="docket", placeholder="e.g. SX-4471-2026", id="docket"),
            ),
            rx.button("Mark shipped", type="submit", id="order-shipped", align_self="end"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        on_submit=OrdersState.ship,
        reset_on_submit=False,
        width="100%",
    )


def delivery_form() -> rx.Component:
    s = OrdersState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Goods-received note", size="3"),
                rx.hstack(
                    _field(
                        "Received on",
                        rx.input(
                            name="received_on", type="date", default_value=s.today, id="received-on"
                        ),
                    ),
                    _field(
                        "Received by",
                        rx.input(name="received_by", placeholder="Name and role", id="received-by"),
                    ),
                    spacing="3",
                    width="100%",
                ),
                _field(
                    "Condition",
                    rx.select.root(
                        rx.select.trigger(id="grn-condition"),
                        rx.select.content(
                            *[rx.select.item(label, value=key) for key, label in CONDITION_ITEMS]
                        ),
                        value=s.condition,
                        on_change=s.set_condition,
                    ),
                ),
                _field(
                    "Damage or shortage notes",
                    rx.text_area(
                        name="damage_notes",
                        placeholder="What is damaged or missing (needed unless all is in good condition)",
                        id="damage-notes",
                        width="100%",
                    ),
                ),
                _photos("A photo is needed when something is damaged or missing."),
                _form_error(),
                rx.button("Confirm delivery", type="submit", id="order-delivered"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.deliver,
            reset_on_submit=False,
        ),
        width="100%",
        id="grn-form",
    )


def installation_form() -> rx.Component:
    s = OrdersState
    signer = lambda who, key: rx.hstack(  # noqa: E731
        _field(who, rx.input(name=f"{key}_name", placeholder="Name and role", id=f"{key}-name")),
        _field(
            "Signature (type your name)",
            rx.input(
                name=f"{key}_signature",
                placeholder="Typed signature",
                id=f"{key}-signature",
                font_family="cursive",
            ),
        ),
        spacing="3",
        width="100%",
    )
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Installation report", size="3"),
                _field(
                    "Installed on",
                    rx.input(
                        name="installed_on", type="date", default_value=s.today, id="installed-on"
                    ),
                ),
                _field(
                    "Checks done (functional and electrical safety tests are required)",
                    rx.vstack(
                        *[
                            rx.checkbox(label, name=f"check_{key}", id=f"check-{key}", size="2")
                            for key, label in CHECK_ITEMS
                        ],
                        spacing="1",
                    ),
                ),
                _field(
                    "Training given",
                    rx.text_area(
                        name="training",
                        placeholder="Who was trained, on what, for how long",
                        id="training",
                        width="100%",
                    ),
                ),
                signer("OEM engineer", "engineer"),
                signer("Your representative", "buyer"),
                _field("Notes", rx.text_area(name="notes", width="100%")),
                _photos("Photos of the installed equipment are welcome."),
                _form_error(),
                rx.text(
                    "Signing off installation adds every serial to your device registry at the "
                    "delivery site, under this contract's service tier.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.button("Sign off installation", type="submit", id="order-installed"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.install,
            reset_on_submit=False,
        ),
        width="100%",
        id="installation-form",
    )


def cancel_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Cancel the order", color_scheme="red", variant="soft", id="order-cancelled")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this order?"),
            rx.alert_dialog.description("The OEM is told at once; this cannot be undone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                rx.alert_dialog.action(
                    rx.button("Cancel the order", color_scheme="red", on_click=OrdersState.cancel)
                ),
                spacing="3",
                justify="end",
            ),
        ),
    )


def records(o) -> rx.Component:
    """The shipment, GRN and installation report kept on the order, with their photos."""
    block = lambda title, lines, key: rx.cond(  # noqa: E731
        lines.length() > 0,
        rx.vstack(
            rx.text(title, weight="bold", size="2"),
            rx.foreach(lines, lambda t: rx.text(t, size="2")),
            spacing="1",
            id=key,
        ),
    )
    return rx.vstack(
        rx.cond(o.shipment != "", rx.text(o.shipment, size="2", id="shipment-record")),
        block("Goods-received note", o.grn, "grn-record"),
        block("Installation report", o.report, "installation-record"),
        rx.cond(
            o.photos.length() > 0,
            rx.hstack(
                rx.foreach(
                    o.photos,
                    lambda p: rx.link(
                        rx.image(src=p.url, height="64px", alt=p.name, border_radius="4px"),
                        href=p.url,
                        is_external=True,
                    ),
                ),
                wrap="wrap",
                spacing="2",
            ),
        ),
        spacing="3",
        width="100%",
    )
