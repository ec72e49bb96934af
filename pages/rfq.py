"""RFQ pages: the list (a buyer's RFQs, an OEM's inbox), the new-RFQ form, and one RFQ
with the buyer's side-by-side comparison or the OEM's quote form."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table, record_table
from pages.components.layout import layout
from state.rfq import RfqDetailState, RfqListState, RfqNewState

STATUS_COLOURS = (
    ("draft", "gray"),
    ("open", "blue"),
    ("negotiating", "orange"),
    ("awarded", "green"),
    ("closed", "gray"),
    ("expired", "red"),
    ("cancelled", "gray"),
    "gray",
)


def _status(value, **props) -> rx.Component:
    return rx.badge(value, variant="soft", color_scheme=rx.match(value, *STATUS_COLOURS), **props)


def _rfq_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["number"], href=row["href"])),
        rx.table.cell(row["title"]),
        rx.table.cell(_status(row["status"])),
        rx.table.cell(row["buyer"]),
        rx.table.cell(row["requiredBy"]),
        rx.table.cell(row["expires"]),
    )


def rfq_list_page() -> rx.Component:
    s = RfqListState
    table = record_table(
        ["RFQ", "Title", "Status", "Buyer", "Required by", "Closes (IST)"],
        s.rows,
        _rfq_row,
        rx.cond(
            s.is_oem,
            "No RFQ has been sent to you yet. Buyers reach you through the SKUs in your catalog.",
            "No RFQs yet. Raise one to get quotes from OEMs.",
        ),
        "rfq-table",
    )
    body = rx.vstack(
        rx.hstack(
            rx.select(
                [
                    "all",
                    "draft",
                    "open",
                    "negotiating",
                    "awarded",
                    "closed",
                    "expired",
                    "cancelled",
                ],
                value=s.status,
                on_change=s.set_status,
                id="rfq-status",
            ),
            rx.cond(
                ~s.is_oem,
                rx.link(
                    rx.button(rx.icon("file-plus", size=14), "New RFQ", id="new-rfq"),
                    href="/rfqs/new",
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        table,
        rx.cond(s.has_more, rx.button("Show more", variant="soft", on_click=s.more, id="rfq-more")),
        spacing="3",
        width="100%",
    )
    return layout(rx.cond(s.is_oem, "RFQs for us", "RFQs"), body)


def _sku_hit(sku) -> rx.Component:
    return rx.hstack(
        rx.text(sku["code"], weight="bold", size="2"),
        rx.text(sku["name"], size="2"),
        rx.text(sku["oem"] + " · " + sku["price"], size="1", color_scheme="gray"),
        rx.spacer(),
        rx.button("Add", size="1", variant="soft", on_click=RfqNewState.add_line(sku)),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _line(line) -> rx.Component:
    return rx.hstack(
        rx.text(line["code"], weight="bold", size="2"),
        rx.text(line["name"], size="2"),
        rx.spacer(),
        rx.input(
            value=line["qty"],
            type="number",
            min=1,
            width="90px",
            aria_label="Quantity",
            on_change=lambda v: RfqNewState.set_qty(line["id"], v),
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            aria_label="Remove",
            on_click=RfqNewState.remove_line(line["id"]),
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _field(label: str, name: str, value, kind: str = "text", **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            value=value,
            type=kind,
            id=f"rfq-{name}",
            on_change=lambda v: RfqNewState.set_field(name, v),
            **props,
        ),
        spacing="1",
        min_width="200px",
        flex="1",
    )


def rfq_new_page() -> rx.Component:
    s = RfqNewState
    picker = rx.card(
        rx.vstack(
            rx.heading("What do you need?", size="4"),
            rx.input(
                placeholder="Search SKUs by name or code",
                value=s.sku_query,
                on_change=s.search.debounce(300),
                width="100%",
                id="sku-search",
            ),
            rx.foreach(s.sku_results, _sku_hit),
            rx.cond(
                s.lines.length() > 0,
                rx.vstack(rx.foreach(s.lines, _line), width="100%"),
                rx.text("Add at least one SKU.", size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
    oems = rx.vstack(
        rx.radio(
            ["all", "chosen"],
            value=rx.cond(s.send_to_all, "all", "chosen"),
            on_change=s.set_send_to_all,
            direction="row",
            id="rfq-send-to",
        ),
        rx.text(
            rx.cond(
                s.send_to_all,
                "Every OEM that sells one of these SKUs gets it.",
                "Only the OEMs ticked below get it.",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            ~s.send_to_all,
            rx.flex(
                rx.foreach(
                    s.oems,
                    lambda o: rx.checkbox(
                        o["name"],
                        checked=s.chosen.contains(o["id"]),
                        on_change=lambda checked: s.toggle_oem(o["id"], checked),
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
        ),
        spacing="2",
    )
    terms = rx.card(
        rx.vstack(
            _field("Title (optional)", "title", s.title, width="100%"),
            rx.flex(
                _field("Delivery pincode", "pincode", s.pincode, max_length=6),
                _field("Required by", "required_by", s.required_by, "date"),
                _field("Quotes close (IST)", "expires_on", s.expires_on, "datetime-local"),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.text("Terms", size="2", weight="medium"),
            rx.text_area(
                value=s.terms,
                on_change=lambda v: s.set_field("terms", v),
                placeholder="Installation, training, payment terms...",
                width="100%",
                id="rfq-terms",
            ),
            rx.text("Send to", size="2", weight="medium"),
            oems,
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
    actions = rx.hstack(
        rx.button("Send to OEMs", on_click=s.submit(True), id="rfq-send"),
        rx.button("Save as draft", variant="soft", on_click=s.submit(False), id="rfq-draft"),
        spacing="3",
    )
    return layout(
        "New RFQ", rx.vstack(picker, terms, actions, spacing="4", width="100%", max_width="960px")
    )


def _fact(label: str, key: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label), rx.data_list.value(RfqDetailState.info[key])
    )


def _award_dialog(row) -> rx.Component:
    s = RfqDetailState
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                "Award",
                size="1",
                on_click=s.choose_award(row["quoteId"]),
                id="award-" + row["rank"],
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Award to ", row["oem"], "?"),
            rx.alert_dialog.description(
                "The quote becomes a contract, a purchase order and an order; the other "
                "quotes are declined.",
                size="2",
            ),
            rx.vstack(
                rx.text("Service tier after installation", size="2", weight="medium"),
                rx.select(
                    ["platinum", "gold", "silver", "bronze"],
                    value=s.award_tier,
                    on_change=s.set_award_tier,
                    id="award-tier",
                ),
                rx.text("Deliver and install at", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(placeholder="Your site", id="award-site"),
                    rx.select.content(
                        rx.foreach(s.sites, lambda f: rx.select.item(f["label"], value=f["id"]))
                    ),
                    value=s.award_site,
                    on_change=s.set_award_site,
                ),
                spacing="2",
                margin_y="12px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Not yet", variant="soft")),
                rx.alert_dialog.action(rx.button("Award", on_click=s.award, id="award-confirm")),
                spacing="3",
                justify="end",
            ),
        ),
    )


def _decide_row(row) -> rx.Component:
    s = RfqDetailState
    live = (s.info["status"] == "open") | (s.info["status"] == "negotiating")
    return rx.table.row(
        rx.table.cell(row["rank"]),
        rx.table.cell(row["oem"]),
        rx.table.cell(row["total"]),
        rx.table.cell(
            rx.hstack(
                rx.link(
                    rx.button(
                        rx.icon("messages-square", size=14), "Negotiate", size="1", variant="soft"
                    ),
                    href="/negotiation/" + s.info["id"] + "/" + row["oemId"],
                ),
                rx.cond(live & (row["status"] == "submitted"), _award_dialog(row)),
                spacing="2",
            )
        ),
    )


def _buyer_view() -> rx.Component:
    s = RfqDetailState
    cancel = rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Cancel RFQ", variant="soft", color_scheme="red", id="rfq-cancel")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this RFQ?"),
            rx.alert_dialog.description("OEMs can no longer quote on it. This cannot be undone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                rx.alert_dialog.action(
                    rx.button("Cancel RFQ", color_scheme="red", on_click=s.cancel)
                ),
                spacing="3",
                justify="end",
            ),
        ),
    )
    return rx.vstack(
        rx.hstack(
            rx.cond(
                s.info["status"] == "draft",
                rx.button("Send to OEMs", on_click=s.open_draft, id="rfq-open"),
            ),
            rx.cond(s.can_cancel, cancel),
            spacing="3",
        ),
        rx.heading("Quotes side by side (total cost of ownership)", size="4"),
        data_table(
            [
                ("rank", "Rank"),
                ("oem", "OEM"),
                ("net", "Price after discount"),
                ("gst", "GST"),
                ("cmc", "CMC"),
                ("total", "Total cost"),
                ("above", "Above lowest"),
                ("lead", "Lead time"),
                ("warranty", "Warranty"),
                ("valid", "Valid until"),
                ("status", "Status"),
            ],
            s.ranking,
            "No quotes yet. OEMs see this RFQ in their inbox.",
            "rfq-comparison",
        ),
        rx.cond(
            s.ranking.length() > 0,
            rx.vstack(
                rx.heading("Negotiate or award", size="4"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Rank", "OEM", "Total cost", "")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(s.ranking, _decide_row)),
                    variant="surface",
                    width="100%",
                    id="rfq-decide",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.heading("Line by line", size="4"),
        data_table(
            [
                ("sku", "Item"),
                ("oem", "OEM"),
                ("unit", "Unit price"),
                ("discount", "Discount"),
                ("total", "Line total with GST"),
                ("lowest", "Lowest"),
            ],
            s.offers,
            "No quotes yet.",
            "rfq-lines",
        ),
        rx.heading("Sent to", size="4"),
        data_table(
            [("oem", "OEM"), ("seen", "Opened (IST)")],
            s.recipients,
            "Not sent yet.",
            "rfq-recipients",
        ),
        spacing="3",
        width="100%",
    )


def _price_input(item) -> rx.Component:
    return rx.hstack(
        rx.text(item["code"] + " × " + item["qty"], weight="bold", size="2", min_width="200px"),
        rx.text("GST " + item["gst"], size="1", color_scheme="gray"),
        rx.input(
            value=RfqDetailState.prices[item["id"]],
            placeholder="Unit price ₹",
            on_change=lambda v: RfqDetailState.set_price(item["id"], v),
            width="180px",
        ),
        align="center",
        wrap="wrap",
        width="100%",
    )


def _quote_input(label: str, name: str, kind: str = "text") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            value=RfqDetailState.form[name],
            type=kind,
            id=f"quote-{name}",
            on_change=lambda v: RfqDetailState.set_form(name, v),
        ),
        spacing="1",
        min_width="150px",
    )


def _oem_view() -> rx.Component:
    s = RfqDetailState
    form = rx.card(
        rx.vstack(
            rx.heading(rx.cond(s.own_status == "", "Your quote", "Revise your quote"), size="4"),
            rx.foreach(s.items, _price_input),
            rx.flex(
                _quote_input("Discount %", "discount"),
                _quote_input("Lead time (days)", "lead", "number"),
                _quote_input("Warranty (years)", "warranty", "number"),
                _quote_input("CMC years", "cmc_years", "number"),
                _quote_input("CMC per year ₹ (with GST)", "cmc_annual"),
                _quote_input("Valid until", "valid_until", "date"),
                spacing="3",
                wrap="wrap",
            ),
            rx.text_area(
                value=s.form["notes"],
                placeholder="Notes for the buyer",
                width="100%",
                on_change=lambda v: s.set_form("notes", v),
            ),
            rx.hstack(
                rx.button("Send quote", on_click=s.submit_quote, id="quote-send"),
                rx.cond(
                    s.own_status == "submitted",
                    rx.button(
                        "Withdraw",
                        variant="soft",
                        color_scheme="red",
                        on_click=s.withdraw,
                        id="quote-withdraw",
                    ),
                ),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
    return rx.vstack(
        rx.cond(
            s.own_status != "",
            rx.link(
                rx.button(
                    rx.icon("messages-square", size=14),
                    "Open the negotiation room",
                    variant="soft",
                    id="open-room",
                ),
                href="/negotiation/" + s.info["id"] + "/" + s.own_oem,
            ),
        ),
        rx.cond(
            s.can_quote,
            form,
            rx.callout.root(rx.callout.text("This RFQ takes no more quotes."), color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def rfq_detail_page() -> rx.Component:
    s = RfqDetailState
    body = rx.vstack(
        rx.hstack(
            rx.heading(s.info["number"], size="6", id="rfq-number"),
            _status(s.info["status"], id="rfq-status"),
            align="center",
            spacing="3",
        ),
        rx.text(s.info["title"]),
        rx.card(
            rx.data_list.root(
                _fact("Buyer", "buyer"),
                _fact("Delivery pincode", "pincode"),
                _fact("Required by", "requiredBy"),
                _fact("Quotes close (IST)", "expires"),
                _fact("Terms", "terms"),
            )
        ),
        data_table(
            [("code", "SKU"), ("name", "Name"), ("qty", "Qty"), ("gst", "GST")],
            s.items,
            "No lines.",
            "rfq-items",
        ),
        rx.cond(s.is_buyer, _buyer_view(), _oem_view()),
        rx.heading("Quote history", size="4"),
        data_table(
            [
                ("revision", "Revision"),
                ("oem", "OEM"),
                ("status", "Status"),
                ("total", "Total cost"),
                ("submitted", "Sent (IST)"),
                ("valid", "Valid until"),
            ],
            s.history,
            "No quotes yet.",
            "quote-history",
        ),
        spacing="3",
        width="100%",
    )
    return layout(
        "RFQ",
        rx.cond(
            s.missing,
            rx.callout.root(
                rx.callout.text("No such RFQ, or it was not sent to you."), color_scheme="orange"
            ),
            body,
        ),
    )
