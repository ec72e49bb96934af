"""A buyer and an OEM negotiate in their room: messages, counter-offers, read receipts and
the coach; competing OEMs and the other side's coach stay out, also for raw SQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.websockets import WebSocketDisconnect

from services.db import tenant_session
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LIST = 20_00_000_00  # the SKUs' list price, ₹20 lakh


def _room(client, market, rfq_id: str, who: str) -> dict:  # noqa: F811
    params = {"oemId": str(market.oem_a.tenant.id)} if who == "buyer" else {}
    response = client.get(
        f"/api/v1/rfqs/{rfq_id}/negotiation", params=params, headers=market.headers[who]
    )
    assert response.status_code == 200, response.text
    return response.json()


def _counter(market, price_a: int, price_b: int) -> dict:  # noqa: F811
    return {
        "lines": [
            {"item": market.sku_a.code, "unitPricePaise": price_a},
            {"item": market.sku_b.code, "unitPricePaise": price_b},
        ],
        "terms": {"warrantyYears": 3, "cmcYears": 5},
    }


@pytest.fixture(scope="module")
def negotiating(client, market):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, LIST, LIST)
    return rfq_id


def test_both_sides_see_messages_and_counter_offers_with_read_receipts(
    client,
    market,  # noqa: F811
    negotiating,
):
    oem = str(market.oem_a.tenant.id)
    url = f"/api/v1/rfqs/{negotiating}/negotiation"
    said = client.post(
        f"{url}/messages",
        headers=market.headers["buyer"],
        json={"oemId": oem, "body": "Can you sharpen the price for two units?"},
    )
    assert said.status_code == 201, said.text
    countered = client.post(
        f"{url}/counters",
        headers=market.headers["oem_a"],
        json={
            "offer": _counter(market, 18_50_000_00, 19_00_000_00),
            "body": "With three years' warranty",
        },
    )
    assert countered.status_code == 201, countered.text
    assert countered.json()["offer"]["totalPaise"] == 2 * 18_50_000_00 + 19_00_000_00
    seen_by_oem = _room(client, market, negotiating, "oem_a")["messages"]
    assert [m["kind"] for m in seen_by_oem] == ["message", "counter"]
    assert seen_by_oem[0]["readByOemAt"] is None
    assert (
        client.post(f"{url}/read", headers=market.headers["oem_a"], json={}).json()["stamped"] == 1
    )
    seen_by_buyer = _room(client, market, negotiating, "buyer")["messages"]
    assert seen_by_buyer[0]["readByOemAt"] is not None  # the buyer sees its message was read
    assert seen_by_buyer[1]["readByBuyerAt"] is None


def test_bad_counter_offers_are_refused_naming_the_field(client, market, negotiating):  # noqa: F811
    url = f"/api/v1/rfqs/{negotiating}/negotiation/counters"
    one_line = {"lines": [{"item": market.sku_a.code, "unitPricePaise": 100}]}
    cases = [
        (one_line, "offer.lines"),
        (_counter(market, -5, 100), "offer.lines.0.unitPricePaise"),
        ({"lines": [{"item": "NO-SUCH", "unitPricePaise": 5}]}, "offer.lines.0.item"),
        ({**_counter(market, 5, 5), "terms": {"cmcYears": 40}}, "offer.terms.cmcYears"),
    ]
    for offer, field in cases:
        response = client.post(url, headers=market.headers["oem_a"], json={"offer": offer})
        assert response.status_code == 400, response.text
        assert response.json()["error"]["field"] == field


def test_a_competing_oem_never_sees_the_thread(client, market, negotiating):  # noqa: F811
    response = client.get(
        f"/api/v1/rfqs/{negotiating}/negotiation",
        params={"oemId": str(market.oem_a.tenant.id)},
        headers=market.headers["oem_b"],
    )
    assert response.status_code == 404  # B was invited too, but this is A's thread
    with tenant_session(market.oem_b.actor) as db:
        rows = db.execute(
            text("SELECT count(*) FROM negotiation_message WHERE oem_tenant_id = :a"),
            {"a": market.oem_a.tenant.id},
        ).scalar_one()
    assert rows == 0


def test_messages_cannot_be_rewritten_nor_the_other_sides_receipt_stamped(
    market,  # noqa: F811
    negotiating,
):
    with (
        pytest.raises(DBAPIError, match="cannot be changed"),
        tenant_session(market.buyer.actor) as db,
    ):
        db.execute(
            text("UPDATE negotiation_message SET body = 'I never said that' WHERE rfq_id = :r"),
            {"r": negotiating},
        )
    with (
        pytest.raises(DBAPIError, match="its own reading"),
        tenant_session(market.buyer.actor) as db,
    ):
        db.execute(
            text("UPDATE negotiation_message SET read_by_oem_at = now() WHERE rfq_id = :r"),
            {"r": negotiating},
        )


def test_the_coach_tips_only_the_side_that_asked(client, market, negotiating):  # noqa: F811
    oem = str(market.oem_a.tenant.id)
    asked = client.post(
        f"/api/v1/rfqs/{negotiating}/suggest-counter-offer",
        headers=market.headers["buyer"],
        json={"oemId": oem},
    )
    assert asked.status_code == 200, asked.text
    tip = asked.json()
    assert tip["type"] == "coachTip" and tip["side"] == "buyer"
    assert tip["band"] and tip["reasons"]
    if tip["action"] == "counter":  # never above the OEM's own counter on the table
        assert tip["counter"]["paise"] <= 2 * 18_50_000_00 + 19_00_000_00
    kinds = [m["kind"] for m in _room(client, market, negotiating, "buyer")["messages"]]
    assert "coachTip" in kinds
    oem_kinds = [m["kind"] for m in _room(client, market, negotiating, "oem_a")["messages"]]
    assert "coachTip" not in oem_kinds
    with tenant_session(market.oem_a.actor) as db:
        hidden = db.execute(
            text(
                "SELECT count(*) FROM negotiation_message WHERE kind = 'coachTip' AND rfq_id = :r"
            ),
            {"r": negotiating},
        ).scalar_one()
    assert hidden == 0


def test_websocket_clients_see_each_others_counter_offers(client, market, negotiating):  # noqa: F811
    oem = str(market.oem_a.tenant.id)
    token = {k: h["Authorization"][7:] for k, h in market.headers.items()}
    base = f"/ws/negotiation/{negotiating}"
    with (
        client.websocket_connect(f"{base}?oemId={oem}&access_token={token['buyer']}") as buyer,
        client.websocket_connect(f"{base}?access_token={token['oem_a']}") as seller,
    ):
        assert json.loads(buyer.receive_text())["side"] == "buyer"
        assert json.loads(seller.receive_text())["side"] == "oem"
        buyer.send_text(
            json.dumps(
                {
                    "type": "counter",
                    "body": "Final from us",
                    "offer": _counter(market, 17_00_000_00, 18_00_000_00),
                }
            )
        )
        while (frame := json.loads(seller.receive_text()))["type"] != "message":
            pass
        assert frame["message"]["side"] == "buyer"
        prices = {li["skuCode"]: li["unitPricePaise"] for li in frame["message"]["offer"]["lines"]}
        assert prices[market.sku_a.code] == 17_00_000_00
        seller.send_text("not json")
        assert json.loads(seller.receive_text())["type"] == "error"
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"{base}?oemId={oem}&access_token={token['oem_b']}") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 4403


def test_a_cancelled_rfq_closes_the_room(client, market):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    cancelled = client.post(
        f"/api/v1/rfqs/{rfq_id}/cancel",
        headers=market.headers["buyer"],
        json={"reason": "budget moved"},
    )
    assert cancelled.status_code == 200, cancelled.text
    response = client.post(
        f"/api/v1/rfqs/{rfq_id}/negotiation/messages",
        headers=market.headers["oem_a"],
        json={"body": "Still there?"},
    )
    assert response.status_code == 409
