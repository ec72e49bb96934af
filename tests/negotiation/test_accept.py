"""Either side accepts the offer on the table in the room: the other side's counter-offer,
or the OEM's quote. What is accepted becomes the agreed quote revision, with the agreed net
price and terms; one's own offer and an offer no longer on the table cannot be accepted."""

from __future__ import annotations

from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LAKH = 1_00_000_00


def _url(rfq_id: str, what: str = "") -> str:
    return f"/api/v1/rfqs/{rfq_id}/negotiation{what}"


def _room(client, market, rfq_id: str, who: str) -> dict:  # noqa: F811
    params = {"oemId": str(market.oem_a.tenant.id)} if who == "buyer" else {}
    response = client.get(_url(rfq_id), params=params, headers=market.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def _counter(client, market, rfq_id, who, price_a, price_b, **terms) -> dict:  # noqa: F811
    offer = {
        "lines": [
            {"item": market.sku_a.code, "unitPricePaise": price_a},
            {"item": market.sku_b.code, "unitPricePaise": price_b},
        ],
        "terms": terms,
    }
    body = {"offer": offer} | ({"oemId": str(market.oem_a.tenant.id)} if who == "buyer" else {})
    response = client.post(_url(rfq_id, "/counters"), json=body, headers=market.headers[who])
    assert response.status_code == 201, response.text
    return response.json()


def _accept(client, market, rfq_id, who, offer_id):  # noqa: F811
    body = {"offerId": offer_id} | (
        {"oemId": str(market.oem_a.tenant.id)} if who == "buyer" else {}
    )
    return client.post(_url(rfq_id, "/accept"), json=body, headers=market.headers[who])


def _current(client, market, rfq_id: str) -> dict:  # noqa: F811
    quotes = client.get(f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]).json()
    return next(q for q in quotes["quotes"] if q["oemId"] == str(market.oem_a.tenant.id))


def test_the_buyer_accepts_the_oems_counter_and_it_becomes_the_agreed_revision(client, market):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    send_quote(
        client,
        market,
        "oem_a",
        rfq_id,
        20 * LAKH,
        19 * LAKH,
        warrantyYears=2,
        cmcYears=5,
        cmcAnnualPaise=2 * LAKH,
        installation="Installation included",
    )
    mine = _counter(client, market, rfq_id, "buyer", 17 * LAKH, 17 * LAKH, warrantyYears=3)
    own = _accept(client, market, rfq_id, "buyer", mine["id"])
    assert own.status_code == 403, own.text  # one's own offer is for the other side to accept
    theirs = _counter(
        client, market, rfq_id, "oem_a", 18 * LAKH, 18 * LAKH, warrantyYears=3, cmcYears=7
    )
    stale = _accept(client, market, rfq_id, "oem_a", mine["id"])
    assert stale.status_code == 409, stale.text  # the OEM's own counter superseded it
    table = _room(client, market, rfq_id, "buyer")["onTable"]
    assert (table["kind"], table["side"], table["canAccept"]) == ("counter", "oem", True)
    assert table["terms"] == {"warrantyYears": 3, "cmcYears": 7, "leadTimeDays": 30}

    accepted = _accept(client, market, rfq_id, "buyer", theirs["id"])
    assert accepted.status_code == 201, accepted.text
    agreed = _current(client, market, rfq_id)
    assert agreed["quoteId"] == accepted.json()["quoteId"]
    assert agreed["revision"] == 2 and agreed["isAgreed"] and agreed["agreedSide"] == "buyer"
    assert agreed["netPaise"] == 3 * 18 * LAKH  # 2 x A + 1 x B at the agreed unit prices
    assert agreed["gstPaise"] == (2 * 18 * LAKH) * 12 // 100 + (18 * LAKH) * 5 // 100
    assert (agreed["warrantyYears"], agreed["cmcYears"]) == (3, 7)
    assert agreed["cmcAnnualPaise"] == 2 * LAKH  # the quote's CMC price stands
    assert agreed["serviceTerms"]["installation"] == "Installation included"
    for who in ("buyer", "oem_a"):
        room = _room(client, market, rfq_id, who)
        assert room["onTable"]["isAgreed"] and room["onTable"]["revision"] == 2
        assert room["messages"][-1]["kind"] == "accept"
    again = _accept(client, market, rfq_id, "buyer", theirs["id"])
    assert again.status_code == 409


def test_the_oem_accepts_the_buyers_counter(client, market):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 20 * LAKH, 19 * LAKH)
    mine = _counter(client, market, rfq_id, "buyer", 17 * LAKH, 16 * LAKH, cmcYears=4)
    accepted = _accept(client, market, rfq_id, "oem_a", mine["id"])
    assert accepted.status_code == 201, accepted.text
    agreed = _current(client, market, rfq_id)
    assert agreed["netPaise"] == 2 * 17 * LAKH + 16 * LAKH and agreed["cmcYears"] == 4
    assert agreed["agreedSide"] == "oem"


def test_the_buyer_accepts_the_quote_itself_but_the_oem_cannot(client, market):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    quote = send_quote(client, market, "oem_a", rfq_id, 20 * LAKH, 19 * LAKH)
    assert _accept(client, market, rfq_id, "oem_a", quote["quoteId"]).status_code == 403
    accepted = _accept(client, market, rfq_id, "buyer", quote["quoteId"])
    assert accepted.status_code == 201, accepted.text
    agreed = _current(client, market, rfq_id)
    assert agreed["revision"] == 2 and agreed["isAgreed"]
    assert agreed["netPaise"] == 2 * 20 * LAKH + 19 * LAKH


def test_a_revised_quote_supersedes_the_counter_before_it(client, market):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 20 * LAKH, 19 * LAKH)
    mine = _counter(client, market, rfq_id, "buyer", 17 * LAKH, 16 * LAKH)
    send_quote(client, market, "oem_a", rfq_id, 19 * LAKH, 18 * LAKH)
    assert _accept(client, market, rfq_id, "oem_a", mine["id"]).status_code == 409
    other = _accept(client, market, rfq_id, "oem_b", mine["id"])
    assert other.status_code == 404  # a competing OEM has no such offer in its own room


def test_a_websocket_client_accepts_the_offer_on_the_table(client, market):  # noqa: F811
    import json

    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 20 * LAKH, 19 * LAKH)
    theirs = _counter(client, market, rfq_id, "oem_a", 18 * LAKH, 18 * LAKH)
    token = market.headers["buyer"]["Authorization"][7:]
    url = f"/ws/negotiation/{rfq_id}?oemId={market.oem_a.tenant.id}&access_token={token}"
    with client.websocket_connect(url) as buyer:
        assert json.loads(buyer.receive_text())["type"] == "hello"
        buyer.send_text(json.dumps({"type": "accept", "offerId": "not-an-id"}))
        while (frame := json.loads(buyer.receive_text()))["type"] != "error":
            pass
        assert frame["field"] == "offerId"
        buyer.send_text(json.dumps({"type": "accept", "offerId": theirs["id"]}))
        while (frame := json.loads(buyer.receive_text()))["type"] != "message":
            pass
        assert frame["message"]["kind"] == "accept"
    assert _current(client, market, rfq_id)["netPaise"] == 3 * 18 * LAKH
