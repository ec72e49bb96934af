"""Device pages: registry, registration, bulk import, one device."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table, record_table
from pages.components.device_lifecycle import device_lifecycle
from pages.components.layout import layout
from pages.components.map_frame import map_frame
from pages.components.telemetry_charts import telemetry_section
from pages.device_edit import device_edit
from pages.device_labels import print_dialog, stuck_on_callout
from pages.device_telemetry import device_connection
from state.devices import STATUSES, DevicesState, DeviceState, ImportState, RegisterState

STATUS_COLOURS = {
    "registered": "gray",
    "qr_printed": "blue",
    "deployed": "teal",
    "active": "green",
    "decommissioned": "red",
}


def status_badge(status) -> rx.Component:
    return rx.badge(
        status.replace("_", " "),
        color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLOURS.items()], "gray"),
        variant="soft",
    )


def _registry_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["serialNumber"], href="/devices/" + row["deviceId"])),
        rx.table.cell(row["model"]),
        rx.table.cell(row["facilityName"]),
        rx.table.cell(row["city"]),
        rx.table.cell(status_badge(row["lifecycleStatus"])),
        rx.table.cell(row["amcStatus"]),
        rx.table.cell(row["amcEnd"]),
    )


def registry_page() -> rx.Component:
    s = DevicesState
    filters = rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    name="q",
                    placeholder="Serial, model, SKU, facility or label code",
                    default_value=s.q,
                    id="device-search",
                    width="260px",
                ),
                rx.tooltip(
                    rx.input(name="amc_before", type="date", id="amc-before"),
                    content="AMC/CMC ends on or before",
                ),
                rx.button("Search", type="submit"),
                spacing="2",
                wrap="wrap",
            ),
            on_submit=s.search,
            reset_on_submit=False,
        ),
        rx.select(STATUSES, value=s.status, on_change=s.set_status, id="status-filter"),
        rx.select.root(
            rx.select.trigger(placeholder="All facilities", id="facility-filter"),
            rx.select.content(
                rx.select.item("All facilities", value="all"),
                rx.foreach(s.facilities, lambda f: rx.select.item(f["label"], value=f["id"])),
            ),
            value=s.facility,
            on_change=s.set_facility,
        ),
        spacing="2",
        wrap="wrap",
        align="center",
    )
    table = record_table(
        ["Serial", "Model", "Facility", "City", "Status", "AMC", "AMC ends"],
        s.rows,
        _registry_row,
        "No devices match. Register a device or import a manufacturer's file.",
        "device-table",
    )
    pager = rx.hstack(
        rx.text(s.total.to_string() + " devices", id="device-total", color_scheme="gray"),
        rx.cond(
            s.can_print,
            print_dialog(
                s,
                rx.button(
                    rx.icon("printer", size=14),
                    "Print labels for this page",
                    variant="soft",
                    size="1",
                    disabled=s.rows.length() == 0,
                    id="print-page",
                ),
                s.print_page,
            ),
        ),
        rx.spacer(),
        rx.button("Previous", on_click=s.prev_page, disabled=s.pages.length() <= 1, variant="soft"),
        rx.text("Page ", s.pages.length().to_string()),
        rx.button(
            "Next",
            on_click=s.next_page,
            disabled=s.next_cursor == "",
            variant="soft",
            id="next-page",
        ),
        width="100%",
        align="center",
    )
    return layout(
        "Devices",
        rx.vstack(
            filters,
            rx.cond(s.error != "", rx.callout.root(rx.callout.text(s.error), color_scheme="red")),
            stuck_on_callout(s),
            table,
            pager,
            spacing="4",
            width="100%",
        ),
        "Every device you own, service or manufactured, by serial number.",
    )


def _facility_choice(item) -> rx.Component:
    return rx.button(
        item["label"],
        variant="ghost",
        size="2",
        justify="start",
        width="100%",
        type="button",
        on_click=RegisterState.pick_facility(item["id"], item["label"]),
    )


def _field_error(name: str) -> rx.Component:
    return rx.cond(
        RegisterState.error_field == name,
        rx.text(RegisterState.error, color_scheme="red", size="1"),
    )


def register_page() -> rx.Component:
    s = RegisterState
    done = rx.card(
        rx.hstack(
            rx.image(src=s.done_qr, width="160px", height="160px", alt="QR label", id="done-qr"),
            rx.vstack(
                rx.heading("Registered", size="5"),
                rx.text("Serial ", rx.text.strong(s.done_serial)),
                rx.text(
                    "Print the label from the device page, or stick this one on now.",
                    color_scheme="gray",
                    size="2",
                ),
                rx.link(rx.button("Open the device"), href="/devices/" + s.done_device_id),
                spacing="2",
            ),
            spacing="5",
            wrap="wrap",
        ),
        id="register-done",
    )
    form = rx.form(
        rx.vstack(
            rx.text("Serial number", weight="medium", size="2"),
            rx.input(
                name="serial",
                placeholder="e.g. MVI-US9-24-004410",
                required=True,
                id="serial",
                width="100%",
            ),
            _field_error("serialNumber"),
            rx.text("Model (SKU)", weight="medium", size="2"),
            rx.cond(s.sku_label != "", rx.badge(s.sku_label, size="2", id="picked-sku")),
            rx.input(
                placeholder="Search the catalog by model name or SKU code",
                value=s.sku_query,
                on_change=s.set_sku_query,
                id="sku-search",
                width="100%",
            ),
            rx.cond(
                s.sku_query != "",
                rx.card(
                    rx.vstack(
                        rx.foreach(
                            s.sku_matches,
                            lambda k: rx.button(
                                k["label"],
                                variant="ghost",
                                size="2",
                                justify="start",
                                width="100%",
                                type="button",
                                on_click=RegisterState.pick_sku(k["code"], k["oem"], k["label"]),
                            ),
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    width="100%",
                    id="sku-matches",
                ),
            ),
            _field_error("skuCode"),
            rx.text("Facility", weight="medium", size="2"),
            rx.cond(
                s.facility_label != "", rx.badge(s.facility_label, size="2", id="picked-facility")
            ),
            rx.input(
                placeholder="Search by name, city or pincode",
                value=s.facility_query,
                on_change=s.set_facility_query,
                id="facility-search",
                width="100%",
            ),
            rx.cond(
                s.facility_query != "",
                rx.card(
                    rx.vstack(
                        rx.foreach(s.facility_matches, _facility_choice), spacing="1", width="100%"
                    ),
                    width="100%",
                    id="facility-matches",
                ),
            ),
            _field_error("facilityId"),
            rx.hstack(
                rx.vstack(
                    rx.text("Installed on", weight="medium", size="2"),
                    rx.input(name="installation_date", type="date", id="installation-date"),
                ),
                rx.vstack(
                    rx.text("AMC/CMC", weight="medium", size="2"),
                    rx.select(
                        ["none", "warranty", "amc", "cmc"], value=s.amc_status, on_change=s.set_amc
                    ),
                ),
                rx.vstack(
                    rx.text("Cover ends", weight="medium", size="2"),
                    rx.input(name="amc_end", type="date"),
                ),
                spacing="4",
                wrap="wrap",
            ),
            _field_error("installationDate"),
            rx.text("UDI (optional, GS1)", weight="medium", size="2"),
            rx.input(name="udi", placeholder="(01)…(17)…(21)…", width="100%"),
            _field_error("udi"),
            rx.cond(
                (s.error != "") & (s.error_field == ""),
                rx.callout.root(rx.callout.text(s.error), color_scheme="red", id="register-error"),
            ),
            rx.button("Register device", type="submit", size="3", id="register-submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=s.submit,
        reset_on_submit=False,
    )
    return layout(
        "Register a device",
        rx.vstack(
            rx.cond(s.done_device_id != "", done),
            rx.card(form, width="100%"),
            spacing="4",
            width="100%",
            max_width="640px",
        ),
        "A device installed at one of your facilities (or one shared with you).",
    )


def import_page() -> rx.Component:
    s = ImportState
    upload = rx.upload(
        rx.vstack(
            rx.icon("file-up", size=28),
            rx.text("Drop a .csv or .xlsx file, or click"),
            rx.text(rx.selected_files("device-file"), size="1", color_scheme="gray"),
            align="center",
            spacing="1",
        ),
        id="device-file",
        accept={
            "text/csv": [".csv"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
        },
        max_files=1,
        border="1px dashed var(--gray-a7)",
        padding="24px",
        width="100%",
    )
    progress = rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(s.file_name, weight="bold"),
                rx.badge(s.status, id="batch-status"),
                spacing="3",
            ),
            rx.progress(value=s.percent, max=100, width="100%", id="batch-progress"),
            rx.text(
                s.processed.to_string()
                + " registered · "
                + s.failed.to_string()
                + " rejected · "
                + s.total.to_string()
                + " rows",
                id="batch-counts",
            ),
            rx.hstack(
                rx.cond(
                    s.kit_url != "",
                    rx.link(
                        rx.button(rx.icon("printer", size=16), "Download QR kit (PDF)"),
                        href=s.kit_url,
                        is_external=True,
                        id="kit-link",
                    ),
                ),
                rx.cond(
                    s.failed > 0,
                    rx.link(
                        rx.button("Row errors (CSV)", variant="soft"),
                        href="/api/v1/devices/batches/" + s.batch_id + "/errors.csv",
                        is_external=True,
                        id="errors-link",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
    return layout(
        "Bulk import",
        rx.vstack(
            rx.text(
                "Columns: serialNumber, skuCode, and optionally facility (its code or name, "
                "below), installationDate (day first: 21/09/2025, or 2025-09-21), udi. A bad "
                "row is reported with all its problems and skipped; the others go through.",
                color_scheme="gray",
                size="2",
            ),
            upload,
            rx.button(
                "Import",
                on_click=s.upload(rx.upload_files(upload_id="device-file")),
                id="import-submit",
            ),
            rx.cond(
                s.error != "",
                rx.callout.root(rx.callout.text(s.error), color_scheme="red", id="import-error"),
            ),
            rx.cond(s.batch_id != "", progress),
            rx.cond(
                s.errors.length() > 0,
                data_table(
                    [
                        ("row", "Row"),
                        ("serialNumber", "Serial"),
                        ("skuCode", "SKU"),
                        ("error", "Problem"),
                    ],
                    s.errors,
                    "",
                    "error-table",
                ),
            ),
            rx.heading("Sites a file can name", size="3"),
            data_table(
                [("code", "Code"), ("name", "Facility"), ("city", "City"), ("access", "Access")],
                s.sites,
                "No sites yet: a customer shares its facilities with you, or add your own.",
                "site-codes",
            ),
            spacing="4",
            width="100%",
            max_width="900px",
        ),
        "Register a manufacturer's devices from a file, with QR labels ready to print.",
    )


def _info(label: str, key: str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(DeviceState.info[key]))


def device_page() -> rx.Component:
    s = DeviceState
    confirm = rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Issue a new label", variant="soft", color_scheme="orange", id="new-label")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Replace this device's label?"),
            rx.alert_dialog.description("The printed label stops working at once."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                rx.alert_dialog.action(
                    rx.button("Replace", color_scheme="orange", on_click=s.new_label)
                ),
                spacing="3",
                justify="end",
            ),
        ),
    )
    body = rx.vstack(
        rx.flex(
            rx.card(
                rx.data_list.root(
                    _info("Model", "model"),
                    _info("SKU", "skuCode"),
                    _info("Facility", "facilityName"),
                    _info("Pincode", "pincode"),
                    _info("Installed", "installationDate"),
                    _info("AMC/CMC", "amcStatus"),
                    _info("Cover ends", "amcEnd"),
                    _info("SLA tier", "slaTier"),
                    _info("UDI", "udi"),
                ),
                rx.hstack(device_lifecycle(), device_edit(), spacing="3", wrap="wrap"),
                flex="1",
                min_width="280px",
            ),
            rx.card(
                rx.vstack(
                    rx.cond(
                        s.qr != "",
                        rx.image(
                            src=s.qr, width="180px", height="180px", alt="QR label", id="device-qr"
                        ),
                    ),
                    rx.cond(
                        s.short_code != "",
                        rx.text(s.short_code, weight="bold", size="4", id="device-code"),
                    ),
                    rx.cond(
                        s.can_print & (s.qr != ""),
                        print_dialog(
                            s,
                            rx.button(rx.icon("printer", size=14), "Print label", id="print-label"),
                            s.print_label,
                        ),
                    ),
                    confirm,
                    rx.link(
                        rx.button(
                            rx.icon("siren", size=14),
                            "Report a fault",
                            color_scheme="red",
                            variant="soft",
                        ),
                        href="/report?device=" + s.info["deviceId"],
                    ),
                    align="center",
                ),
                min_width="220px",
            ),
            spacing="4",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            s.accepted_order != "",
            rx.card(
                rx.vstack(
                    rx.heading("Delivery and installation (", s.accepted_order, ")", size="4"),
                    rx.foreach(s.accepted_grn, lambda t: rx.text(t, size="2")),
                    rx.foreach(s.accepted_report, lambda t: rx.text(t, size="2")),
                    spacing="1",
                ),
                width="100%",
                id="device-acceptance",
            ),
        ),
        telemetry_section(),
        device_connection(),
        rx.heading("Deployment scans", size="4"),
        rx.cond(
            s.map_html != "",
            map_frame(
                src_doc=s.map_html,
                width="100%",
                height="320px",
                style={"border": "0", "borderRadius": "8px"},
                id="deployment-map",
            ),
        ),
        data_table(
            [
                ("at", "When (IST)"),
                ("isValid", "Valid"),
                ("distanceMeters", "Metres away"),
                ("reason", "Note"),
            ],
            s.deployments,
            "No deployment scan yet: scan the label at the facility with the app.",
            "deployment-table",
        ),
        rx.heading("History", size="4"),
        data_table(
            [("at", "When (IST)"), ("action", "Action"), ("actor", "By"), ("summary", "Summary")],
            s.history,
            "Nothing recorded yet.",
            "history-table",
        ),
        spacing="4",
        width="100%",
    )
    return layout(
        "Device",
        rx.cond(
            s.missing,
            rx.callout.root(
                rx.callout.text("No such device, or it is not shared with you."),
                color_scheme="orange",
            ),
            rx.vstack(
                rx.hstack(
                    rx.heading(s.info["serialNumber"], size="6", id="device-serial"),
                    rx.box(status_badge(s.info["lifecycleStatus"]), id="device-status"),
                    align="center",
                ),
                stuck_on_callout(s),
                body,
                width="100%",
            ),
        ),
    )
