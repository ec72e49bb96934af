"""Quotes that cannot be wrong: a ₹0 line, a discount taking the whole price, a GST rate the
law does not have or a lead time of 0 or over a year is refused naming the field; the OEM's
service terms reach the buyer beside the quote, and a lead time that misses the RFQ's
required-by date is said so to the buyer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.common.clock import today_ist
from services.rfq.quotes import lead_time_warning
from tests.rfq.conftest import quote_body, raise_rfq, send_quote

PRICE = 10_00_000_00


@pytest.fixture(scope="module")
def rfq_id(client, market):
    return raise_rfq(client, market, requiredBy=(today_ist() + timedelta(days=60)).isoformat())


def _send(client, market, rfq_id, body):
    return client.post(f"/api/v1/rfqs/{rfq_id}/quotes", json=body, headers=market.headers["oem_a"])


def _line(body: dict, **fields) -> dict:
    body["lines"][0] |= fields
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: _line(b, unitPricePaise=0), "lines.0.unitPricePaise"),
        (lambda b: _line(b, discountPct=100), "lines.0.discountPct"),
        (lambda b: b | {"discountPct": "100"}, "discountPct"),
        (lambda b: _line(b, gstRate=7), "lines.0.gstRate"),
        (lambda b: b | {"leadTimeDays": 0}, "leadTimeDays"),
        (lambda b: b | {"leadTimeDays": 366}, "leadTimeDays"),
        (lambda b: {k: v for k, v in b.items() if k != "leadTimeDays"}, "leadTimeDays"),
        (lambda b: b | {"uptimePct": 50}, "uptimePct"),
        (lambda b: b | {"cmcYears": 3, "cmcAnnualPaise": 0}, "cmcAnnualPaise"),
    ],
)
def test_a_quote_that_would_mislead_is_refused_naming_the_field(
    client, market, rfq_id, change, field
):
    refused = _send(client, market, rfq_id, change(quote_body(market, PRICE, PRICE)))
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["field"] == field
    quotes = client.get(f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]).json()
    assert all(q["oemId"] != str(market.oem_a.tenant.id) for q in quotes["quotes"])


def test_the_buyer_reads_the_oems_terms_and_the_lead_time_warning(client, market, rfq_id):
    send_quote(
        client,
        market,
        "oem_b",
        rfq_id,
        PRICE,
        PRICE,
        leadTimeDays=90,
        notes="Site readiness by the hospital",
        installation="Installation and rigging included",
        training="Two days for four radiographers",
        uptimePct=97.5,
        paymentDays=30,
    )
    quote = client.get(f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]).json()[
        "quotes"
    ][0]
    assert quote["notes"] == "Site readiness by the hospital"
    assert quote["serviceTerms"] == {
        "installation": "Installation and rigging included",
        "training": "Two days for four radiographers",
        "uptimePct": "97.50",
        "paymentDays": 30,
    }
    assert "30 days after the required-by date" in quote["leadTimeWarning"]
    assert quote["lines"][0]["listPricePaise"] == 20_00_000_00  # the catalog's list price


def test_a_lead_time_within_the_required_by_date_warns_of_nothing():
    sent = date(2026, 12, 1)
    assert lead_time_warning(date(2027, 1, 30), 60, sent) == ""
    assert lead_time_warning(None, 300, sent) == ""
    assert lead_time_warning(date(2027, 1, 30), 61, sent).endswith(
        "1 day after the required-by date 30 Jan 2027"
    )
