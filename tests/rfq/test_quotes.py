"""OEMs quoting: the arithmetic, the first quote starting the negotiation, revisions kept
as history, withdrawal, and the buyer's side-by-side comparison by total cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from services.common.clock import today_ist
from services.db import system_session
from tests.rfq.conftest import quote_body, raise_rfq, send_quote


def _status(client, market, rfq_id: str) -> str:
    return client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["buyer"]).json()["status"]


def test_a_quote_prices_each_line_with_discount_gst_and_cmc(client, market):
    rfq_id = raise_rfq(client, market)  # 2 x SKU A (GST 12 %), 1 x SKU B (GST 5 %)
    body = quote_body(
        market, 10_00_000_00, 4_00_000_00, discountPct="10", cmcYears=5, cmcAnnualPaise=50_000_00
    )
    body["lines"][1]["discountPct"] = "0"
    sent = client.post(f"/api/v1/rfqs/{rfq_id}/quotes", json=body, headers=market.headers["oem_a"])
    assert sent.status_code == 201, sent.text
    quote = client.get(f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["oem_a"]).json()[
        "quotes"
    ][0]
    # A: 2 x 10 L = 20 L, less 10 % = 18 L, GST 12 % = 2.16 L. B: 4 L, GST 5 % = 0.2 L.
    assert quote["netPaise"] == 22_00_000_00
    assert quote["gstPaise"] == 2_16_000_00 + 20_000_00
    assert quote["cmcTotalPaise"] == 2_50_000_00
    assert quote["totalPaise"] == 22_00_000_00 + 2_36_000_00 + 2_50_000_00
    rates = {line["skuCode"]: line["gstRate"] for line in quote["lines"]}
    assert rates == {market.sku_a.code: "12.00", market.sku_b.code: "5.00"}


def test_the_first_quote_moves_the_rfq_to_negotiating(client, market):
    rfq_id = raise_rfq(client, market)
    assert _status(client, market, rfq_id) == "open"
    send_quote(client, market, "oem_a", rfq_id, 10_00_000_00, 4_00_000_00)
    assert _status(client, market, rfq_id) == "negotiating"
    send_quote(client, market, "oem_b", rfq_id, 9_00_000_00, 4_00_000_00)
    assert _status(client, market, rfq_id) == "negotiating"


def test_a_revision_supersedes_the_previous_quote_and_history_is_kept(client, market):
    rfq_id = raise_rfq(client, market)
    first = send_quote(client, market, "oem_a", rfq_id, 10_00_000_00, 4_00_000_00)
    second = send_quote(client, market, "oem_a", rfq_id, 9_50_000_00, 4_00_000_00)
    assert (first["revision"], second["revision"]) == (1, 2)
    for who in ("oem_a", "buyer"):
        current = client.get(f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers[who]).json()[
            "quotes"
        ]
        assert [q["quoteId"] for q in current] == [second["quoteId"]]
        history = client.get(
            f"/api/v1/rfqs/{rfq_id}/quotes?history=true", headers=market.headers[who]
        ).json()["quotes"]
        by_revision = {q["revision"]: q for q in history}
        assert by_revision[1]["status"] == "revised"
        assert by_revision[1]["supersededBy"] == second["quoteId"]
        assert by_revision[2]["status"] == "submitted" and by_revision[2]["isCurrent"]
    with system_session() as db:
        names = list(
            db.execute(
                text(
                    "SELECT name FROM outbox_event WHERE entity = 'quote' AND entity_id IN (:a, :b) "
                    "ORDER BY seq"
                ),
                {"a": first["quoteId"], "b": second["quoteId"]},
            ).scalars()
        )
    assert names == ["QuoteSubmitted", "QuoteRevised"]


def test_the_buyer_compares_quotes_ranked_by_total_cost_of_ownership(client, market):
    rfq_id = raise_rfq(client, market)
    # A is cheaper to buy but its 5-year CMC makes it dearer to own.
    cheap = send_quote(
        client,
        market,
        "oem_a",
        rfq_id,
        9_00_000_00,
        4_00_000_00,
        cmcYears=5,
        cmcAnnualPaise=2_00_000_00,
    )
    dear = send_quote(
        client,
        market,
        "oem_b",
        rfq_id,
        10_00_000_00,
        4_00_000_00,
        cmcYears=5,
        cmcAnnualPaise=50_000_00,
    )
    view = client.get(f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]).json()
    ranked = view["comparison"]["quotes"]
    assert [q["quoteId"] for q in ranked] == [dear["quoteId"], cheap["quoteId"]]
    assert [q["rank"] for q in ranked] == [1, 2]
    assert ranked[0]["isLowest"] and not ranked[1]["isLowest"]
    assert ranked[1]["aboveLowestPaise"] == ranked[1]["totalPaise"] - ranked[0]["totalPaise"]
    assert view["comparison"]["lowestQuoteId"] == dear["quoteId"]
    line_a = next(x for x in view["comparison"]["lines"] if x["skuCode"] == market.sku_a.code)
    lowest = [o["quoteId"] for o in line_a["offers"] if o["isLowest"]]
    assert lowest == [cheap["quoteId"]]  # per line, A's purchase price is still the lowest


def test_a_withdrawn_quote_leaves_the_ranking_and_may_be_followed_by_a_new_one(client, market):
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 9_00_000_00, 4_00_000_00)
    kept = send_quote(client, market, "oem_b", rfq_id, 10_00_000_00, 4_00_000_00)
    withdrawn = client.post(
        f"/api/v1/rfqs/{rfq_id}/quotes/withdraw", headers=market.headers["oem_a"]
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"/api/v1/rfqs/{rfq_id}/quotes/withdraw", headers=market.headers["oem_a"])
    assert again.status_code == 409 and "final" in again.json()["error"]["message"]
    comparison = client.get(
        f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]
    ).json()["comparison"]
    assert comparison["lowestQuoteId"] == kept["quoteId"]
    assert [q["rank"] for q in comparison["quotes"]] == [1, None]
    fresh = send_quote(client, market, "oem_a", rfq_id, 8_00_000_00, 4_00_000_00)
    assert fresh["revision"] == 2
    comparison = client.get(
        f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]
    ).json()["comparison"]
    assert comparison["lowestQuoteId"] == fresh["quoteId"]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"item": "NOT-IN-RFQ", "unitPricePaise": 1}]}, "lines.0.item"),
        ({"unit_a": -1}, "lines.0.unitPricePaise"),
        ({"discountPct": "100.5"}, "discountPct"),
        ({"discountPct": "lots"}, "discountPct"),
        ({"gst_a": "30"}, "lines.0.gstRate"),
        ({"leadTimeDays": -1}, "leadTimeDays"),
        ({"warrantyYears": -2}, "warrantyYears"),
        ({"cmcYears": -1}, "cmcYears"),
        ({"cmcAnnualPaise": -5}, "cmcAnnualPaise"),
        ({"validUntil": "2020-01-01"}, "validUntil"),
        ({"validUntil": "soon"}, "validUntil"),
    ],
)
def test_bad_quotes_are_refused_naming_the_field(client, market, change, field):
    rfq_id = raise_rfq(client, market)
    body = quote_body(market, 10_00_000_00, 4_00_000_00)
    if "unit_a" in change:
        body["lines"][0]["unitPricePaise"] = change.pop("unit_a")
    if "gst_a" in change:
        body["lines"][0]["gstRate"] = change.pop("gst_a")
    response = client.post(
        f"/api/v1/rfqs/{rfq_id}/quotes", json=body | change, headers=market.headers["oem_a"]
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field


def test_every_line_of_the_rfq_must_be_priced(client, market):
    rfq_id = raise_rfq(client, market)
    body = quote_body(market, 10_00_000_00, 4_00_000_00)
    body["lines"] = body["lines"][:1]
    response = client.post(
        f"/api/v1/rfqs/{rfq_id}/quotes", json=body, headers=market.headers["oem_a"]
    )
    assert response.status_code == 400
    assert market.sku_b.code in response.json()["error"]["message"]


def test_a_buyer_cannot_quote(client, market):
    rfq_id = raise_rfq(client, market)
    body = quote_body(market, 1, 1, validUntil=(today_ist() + timedelta(days=1)).isoformat())
    assert (
        client.post(
            f"/api/v1/rfqs/{rfq_id}/quotes", json=body, headers=market.headers["buyer"]
        ).status_code
        == 403
    )
