"""The coach in a room, through the API: its tip states its basis, values warranty and CMC
years from this quote's own price for a CMC year (or the catalog's rate), speaks only of
terms someone offered, reasons from the latest counter of either side, flags a lead time
that misses the required-by date, and says the same thing when asked twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from services.common.clock import today_ist
from services.db import tenant_session
from services.negotiation.coach import offers_so_far
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LIST = 20_00_000_00  # each SKU's list price, ₹20 lakh
CMC_YEAR = 3_00_000_00  # the quote's price for one CMC year of the whole order


def _negotiating(client, market, **quote_terms) -> str:  # noqa: F811
    rfq_id = raise_rfq(client, market, requiredBy=(today_ist() + timedelta(days=30)).isoformat())
    terms = {"warrantyYears": 2, "cmcYears": 5, "cmcAnnualPaise": CMC_YEAR, "leadTimeDays": 60}
    send_quote(client, market, "oem_a", rfq_id, LIST, LIST, **(terms | quote_terms))
    return rfq_id


def _ask(client, market, rfq_id: str, who: str) -> dict:  # noqa: F811
    body = {"oemId": str(market.oem_a.tenant.id)} if who == "buyer" else {}
    asked = client.post(
        f"/api/v1/rfqs/{rfq_id}/suggest-counter-offer", headers=market.headers[who], json=body
    )
    assert asked.status_code == 200, asked.text
    return {k: v for k, v in asked.json().items() if k not in ("messageId", "seq")}


def _counter(client, market, rfq_id: str, who: str, price: int, **terms) -> int:  # noqa: F811
    body = {
        "offer": {
            "lines": [
                {"item": market.sku_a.code, "unitPricePaise": price},
                {"item": market.sku_b.code, "unitPricePaise": price},
            ],
            "terms": terms,
        }
    }
    if who == "buyer":
        body["oemId"] = str(market.oem_a.tenant.id)
    made = client.post(
        f"/api/v1/rfqs/{rfq_id}/negotiation/counters", headers=market.headers[who], json=body
    )
    assert made.status_code == 201, made.text
    return made.json()["offer"]["totalPaise"]


def _worth(tip: dict) -> dict:
    return {t["term"]: t["worthPaise"] for t in tip["terms"]}


def test_a_tip_states_its_basis_and_values_terms_from_this_quotes_cmc_price(client, market):  # noqa: F811
    rfq_id = _negotiating(client, market)
    tip = _ask(client, market, rfq_id, "buyer")
    assert tip["offer"]["paise"] == 3 * LIST  # the quote is the offer on the table
    assert tip["basis"]["deals"] > 0 and tip["basis"]["byCategory"].keys() == {"Ultrasound"}
    assert tip["basis"]["confidence"] in tip["basis"]["text"]
    assert _worth(tip) == {"warranty_years": CMC_YEAR, "cmc_years": CMC_YEAR}
    assert "this quote's price for a CMC year" in tip["terms"][0]["text"]
    saved = next(
        m["offer"]
        for m in client.get(
            f"/api/v1/rfqs/{rfq_id}/negotiation",
            params={"oemId": str(market.oem_a.tenant.id)},
            headers=market.headers["buyer"],
        ).json()["messages"]
        if m["kind"] == "coachTip"
    )
    assert saved["basis"] == tip["basis"]  # the room shows what the API answered


def test_a_lead_time_that_misses_the_required_by_date_is_flagged(client, market):  # noqa: F811
    rfq_id = _negotiating(client, market)
    flags = _ask(client, market, rfq_id, "buyer")["flags"]
    assert [(f["term"], f["lateDays"]) for f in flags] == [("lead_time_days", 30)]
    in_time = _negotiating(client, market, leadTimeDays=21)
    assert _ask(client, market, in_time, "buyer")["flags"] == []


def test_asked_twice_with_nothing_changed_the_coach_gives_the_same_tip(client, market):  # noqa: F811
    rfq_id = _negotiating(client, market)
    assert _ask(client, market, rfq_id, "buyer") == _ask(client, market, rfq_id, "buyer")


def test_no_credit_is_spoken_of_until_a_side_puts_payment_terms_on_the_table(client, market):  # noqa: F811
    rfq_id = _negotiating(client, market)
    assert "credit" not in json.dumps(_ask(client, market, rfq_id, "buyer")).lower()
    _counter(client, market, rfq_id, "buyer", 17_00_000_00, paymentDays=60)
    _counter(client, market, rfq_id, "oem_a", 19_00_000_00)
    buyer, oem = _ask(client, market, rfq_id, "buyer"), _ask(client, market, rfq_id, "oem_a")
    assert "payment_days" in _worth(buyer) and "credit" in json.dumps(buyer).lower()
    assert _worth(buyer) == _worth(oem)  # the same term, the same value, for both sides


def test_after_the_buyers_counter_the_coach_reasons_from_it_for_both_sides(client, market):  # noqa: F811
    rfq_id = _negotiating(client, market)
    countered = _counter(client, market, rfq_id, "buyer", 12_00_000_00, warrantyYears=3)
    buyer = _ask(client, market, rfq_id, "buyer")
    assert buyer["action"] == "wait" and buyer["offer"]["paise"] == countered
    assert buyer["counter"]["paise"] == countered  # never higher than the buyer's own counter
    oem = _ask(client, market, rfq_id, "oem_a")
    assert oem["offer"]["paise"] == countered and oem["action"] == "counter"
    assert countered < oem["counter"]["paise"] <= 3 * LIST  # between the counter and the quote
    assert _worth(oem)["warranty_years"] == _worth(buyer)["warranty_years"] == CMC_YEAR
    assert any("gives 1 more year of warranty, worth ₹3.00 L more" in r for r in oem["reasons"])


def test_without_a_cmc_price_in_the_quote_the_catalogs_cmc_rate_values_a_warranty_year(
    client,
    market,  # noqa: F811
):
    for oem, sku in ((market.oem_a, market.sku_a), (market.oem_b, market.sku_b)):
        with tenant_session(oem.actor) as db:
            db.execute(
                text("UPDATE sku SET attrs = attrs || '{\"cmcRatePct\": 8}' WHERE id = :id"),
                {"id": sku.id},
            )
    rfq_id = _negotiating(client, market, cmcYears=0, cmcAnnualPaise=0)
    tip = _ask(client, market, rfq_id, "buyer")
    assert _worth(tip) == {"warranty_years": 3 * LIST * 8 // 100}
    assert "the catalog's CMC rate" in tip["terms"][0]["text"]


def test_a_quote_revised_after_the_counters_is_the_offer_on_the_table():
    counter = {
        "kind": "counter",
        "side": "buyer",
        "createdAt": "2026-12-01T10:00:00+00:00",
        "offer": {
            "lines": [{"itemId": "a", "unitPricePaise": 90_00}],
            "terms": {"paymentDays": 45},
            "totalPaise": 90_00,
        },
    }
    revised = {
        "lines": [{"itemId": "a", "qty": 1, "netPaise": 95_00}],
        "warranty_years": 3,
        "cmc_years": 0,
        "cmc_annual_paise": 0,
        "lead_time_days": 0,
        "created_at": datetime(2026, 12, 1, 11, 0, tzinfo=UTC),
    }
    offers = offers_so_far([counter], revised)
    assert [(o["side"], o["total"]) for o in offers] == [("buyer", 90_00), ("oem", 95_00)]
    assert offers[-1]["terms"] == {"warrantyYears": 3}  # a term left at 0 was not offered
