"""One RFQ: the buyer's comparison over the stated service horizon, each OEM's terms beside
its quote, and the award dialog; the OEM's quote form with a running total, the lead-time
warning before sending and a confirmation before withdrawing."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from pages.rfq import status_badge
from state.rfq_detail import RfqDetailState


def _fact(label: str, key: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label), rx.data_list.value(RfqDetailState.info[key])
    )


def _award_fact(label: str, key: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(RfqDetailState.award_info[key], id=f"award-{key}"),
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
            rx.alert_dialog.title("Award to ", s.award_info["oem"], "?"),
            rx.alert_dialog.description(
                "This becomes a contract, a purchase order and an order; the other quotes "
                "are declined.",
                size="2",
            ),
            rx.data_list.root(
                _award_fact("Awarding", "revision"),
                _award_fact("Price after discount", "net"),
                _award_fact("GST", "gst"),
                _award_fact("Total with GST", "total"),
                _award_fact("Terms", "terms"),
                _award_fact("Service terms", "service"),
                size="2",
                margin_y="12px",
            ),
            rx.vstack(
                rx.text("Service tier after installation", size="2", weight="medium"),
                rx.select(
                    ["platinum", "gold", "silver", "bronze"],
                    value=s.award_tier,
                    on_change=s.set_award_tier,
                    id="award-tier",
                ),
                rx.foreach(s.tiers, lambda t: rx.text(t["text"], size="1", color_scheme="gray")),
                rx.text("Deliver and install at", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(placeholder="Your site", id="award-site"),
                    rx.select.content(
                        rx.foreach(s.sites, lambda f: rx.select.item(f["label"], value=f["id"]))
                    ),
                    value=s.award_site,
                    on_change=s.set_award_site,
                ),
                rx.text("The RFQ delivers to pincode ", s.info["pincode"], size="1"),
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
        rx.table.cell(row["revision"]),
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


def _terms_card(card) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(card["oem"], weight="bold"),
                rx.text(card["revision"], size="1", color_scheme="gray"),
                spacing="2",
                align="center",
            ),
            rx.text(card["terms"], size="2"),
            rx.cond(card["notes"] != "", rx.text(card["notes"], size="2", white_space="pre-wrap")),
            rx.cond(
                card["warning"] != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert")),
                    rx.callout.text(card["warning"]),
                    color_scheme="orange",
                    size="1",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="quote-terms",
    )


def _cancel_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Cancel RFQ", variant="soft", color_scheme="red", id="rfq-cancel")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this RFQ?"),
            rx.alert_dialog.description("OEMs can no longer quote on it. This cannot be undone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                rx.alert_dialog.action(
                    rx.button("Cancel RFQ", color_scheme="red", on_click=RfqDetailState.cancel)
                ),
                spacing="3",
                justify="end",
            ),
        ),
    )


def _buyer_view() -> rx.Component:
    s = RfqDetailState
    return rx.vstack(
        rx.hstack(
            rx.cond(
                s.info["status"] == "draft",
                rx.button("Send to OEMs", on_click=s.open_draft, id="rfq-open"),
            ),
            rx.cond(s.can_cancel, _cancel_dialog()),
            spacing="3",
        ),
        rx.heading("Quotes side by side (total cost of ownership)", size="4"),
        rx.text(s.horizon, size="2", color_scheme="gray", id="rfq-horizon"),
        data_table(
            [
                ("rank", "Rank"),
                ("oem", "OEM"),
                ("revision", "Revision"),
                ("net", "Price after discount"),
                ("gst", "GST"),
                ("warranty", "Warranty"),
                ("cmc", "CMC"),
                ("uncovered", "Uncovered years"),
                ("total", "Total over 10 years"),
                ("above", "Above lowest"),
                ("lead", "Lead time"),
                ("valid", "Valid until"),
                ("status", "Status"),
            ],
            s.ranking,
            "No quotes yet. OEMs see this RFQ in their inbox.",
            "rfq-comparison",
        ),
        rx.cond(
            s.terms_cards.length() > 0,
            rx.vstack(
                rx.heading("What each OEM offers beside the price", size="4"),
                rx.foreach(s.terms_cards, _terms_card),
                spacing="2",
                width="100%",
                id="rfq-terms",
            ),
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
                                for h in ("Rank", "OEM", "Revision", "Total over 10 years", "")
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
        rx.text("GST " + item["gst"] + " · list " + item["list"], size="1", color_scheme="gray"),
        rx.input(
            value=RfqDetailState.prices[item["id"]],
            placeholder="Unit price ₹",
            on_change=lambda v: RfqDetailState.set_price(item["id"], v),
            width="180px",
            class_name="quote-price",
        ),
        align="center",
        wrap="wrap",
        width="100%",
    )


def _quote_input(label: str, name: str, kind: str = "text", **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            value=RfqDetailState.form[name],
            type=kind,
            id=f"quote-{name}",
            on_change=lambda v: RfqDetailState.set_form(name, v),
            **props,
        ),
        spacing="1",
        min_width="150px",
    )


def _withdraw_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Withdraw", variant="soft", color_scheme="red", id="quote-withdraw")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Withdraw your quote?"),
            rx.alert_dialog.description(
                "The buyer sees it out of the running. You may quote again while the RFQ is open."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                rx.alert_dialog.action(
                    rx.button(
                        "Withdraw",
                        color_scheme="red",
                        on_click=RfqDetailState.withdraw,
                        id="quote-withdraw-confirm",
                    )
                ),
                spacing="3",
                justify="end",
            ),
        ),
    )


def _quote_form() -> rx.Component:
    s = RfqDetailState
    return rx.card(
        rx.vstack(
            rx.heading(rx.cond(s.own_status == "", "Your quote", "Revise your quote"), size="4"),
            rx.foreach(s.items, _price_input),
            rx.flex(
                _quote_input("Discount %", "discount"),
                _quote_input("Lead time (days, 1 to 365)", "lead", "number", min=1, max=365),
                _quote_input("Warranty (years)", "warranty", "number"),
                _quote_input("CMC years", "cmc_years", "number"),
                _quote_input("CMC per year ₹ (with GST)", "cmc_annual"),
                _quote_input("Valid until", "valid_until", "date"),
                spacing="3",
                wrap="wrap",
            ),
            rx.flex(
                _quote_input("Installation", "installation"),
                _quote_input("Training", "training"),
                _quote_input("Uptime guaranteed %", "uptime"),
                _quote_input("Credit days", "credit", "number"),
                spacing="3",
                wrap="wrap",
            ),
            rx.text_area(
                value=s.form["notes"],
                placeholder="Notes for the buyer",
                width="100%",
                on_change=lambda v: s.set_form("notes", v),
            ),
            rx.text(s.running_total, weight="bold", id="quote-total"),
            rx.cond(
                s.lead_warning != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert")),
                    rx.callout.text(s.lead_warning),
                    color_scheme="orange",
                    id="quote-lead-warning",
                ),
            ),
            rx.hstack(
                rx.button("Send quote", on_click=s.submit_quote, id="quote-send"),
                rx.cond(s.own_status == "submitted", _withdraw_dialog()),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _oem_view() -> rx.Component:
    s = RfqDetailState
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
            _quote_form(),
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
            status_badge(s.info["status"], id="rfq-status"),
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
