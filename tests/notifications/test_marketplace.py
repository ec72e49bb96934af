"""The marketplace tells each side when the other acts: a new RFQ reaches the OEM's
sellers, a quote, a counter-offer and an accepted offer reach the other side, shipping reaches the buyer and
delivery the seller; nobody else hears of it. Each side's home page lists what waits."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.actor import Role
from services.common.clock import today_ist
from services.db import tenant_session
from services.overview.waiting import waiting_for
from tests.notifications.conftest import colleague, notices, relay, titles
from tests.orders.records import SHIPMENT, goods_receipt
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LAKH = 1_00_000_00


@pytest.fixture(scope="module")
def people(market):  # noqa: F811
    """Colleagues beside the market's admins: who must hear, and who must not."""
    return {
        "buyer_user": colleague(market.buyer, Role.BUYER_USER, "Meera Procurement"),
        "oem_a_sales": colleague(market.oem_a, Role.OEM_SALES, "Arjun Sales"),
        "oem_a_tech": colleague(market.oem_a, Role.TECHNICIAN, "Ravi Technician"),
        "oem_b_sales": colleague(market.oem_b, Role.OEM_SALES, "Divya Sales"),
    }


def _about(actor, link: str) -> list[dict]:
    return [n for n in notices(actor) if n["link"] == link]


def test_a_new_rfq_tells_the_oems_sellers_and_only_them(client, market, people):  # noqa: F811
    rfq_id = raise_rfq(
        client, market, items=[{"sku": market.sku_a.code, "qty": 1}], title="1.5 T MRI"
    )
    relay()
    link = f"/rfqs/{rfq_id}"
    for seller in (market.oem_a.actor, people["oem_a_sales"]):
        told = _about(seller, link)
        assert len(told) == 1 and told[0]["unread"]
        assert told[0]["title"].startswith("New RFQ RFQ-") and "1.5 T MRI" in told[0]["title"]
        assert market.buyer.tenant.name in told[0]["body"]
    for bystander in (
        people["oem_a_tech"],  # not a seller
        market.oem_b.actor,  # not invited
        people["oem_b_sales"],
        market.buyer.actor,  # sent it
        people["buyer_user"],
    ):
        assert _about(bystander, link) == []


def test_a_quote_tells_the_buyers_people_and_a_redelivery_adds_nothing(
    client,
    market,  # noqa: F811
    people,
):
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 18 * LAKH, 19 * LAKH)
    relay()
    link = f"/rfqs/{rfq_id}"
    for buyer in (market.buyer.actor, people["buyer_user"]):
        quotes = [n for n in _about(buyer, link) if n["kind"] == "quote_received"]
        assert len(quotes) == 1
        assert quotes[0]["title"].startswith("Quote on RFQ-")
        assert quotes[0]["title"].endswith(f"from {market.oem_a.tenant.name}")
        assert "₹" in quotes[0]["body"]
    for seller in (market.oem_a.actor, people["oem_a_sales"], people["oem_b_sales"]):
        assert [n for n in _about(seller, link) if n["kind"].startswith("quote")] == []

    _redeliver_everything()
    relay()
    assert len([n for n in _about(market.buyer.actor, link) if n["kind"] == "quote_received"]) == 1


def test_a_counter_offer_tells_the_other_side_of_the_room(client, market, people):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 18 * LAKH, 19 * LAKH)
    room = f"/negotiation/{rfq_id}/{market.oem_a.tenant.id}"
    offer = {
        "lines": [
            {"item": market.sku_a.code, "unitPricePaise": 17 * LAKH},
            {"item": market.sku_b.code, "unitPricePaise": 18 * LAKH},
        ]
    }
    by_buyer = client.post(
        f"/api/v1/rfqs/{rfq_id}/negotiation/counters",
        headers=market.headers["buyer"],
        json={"oemId": str(market.oem_a.tenant.id), "offer": offer},
    )
    assert by_buyer.status_code == 201, by_buyer.text
    relay()
    for seller in (market.oem_a.actor, people["oem_a_sales"]):
        told = _about(seller, room)
        assert [n["kind"] for n in told] == ["counter_offer"]
        assert told[0]["title"].endswith(f"from {market.buyer.tenant.name}")
    for bystander in (market.buyer.actor, people["oem_a_tech"], people["oem_b_sales"]):
        assert _about(bystander, room) == []

    by_oem = client.post(
        f"/api/v1/rfqs/{rfq_id}/negotiation/counters",
        headers=market.headers["oem_a"],
        json={"offer": offer},
    )
    assert by_oem.status_code == 201, by_oem.text
    relay()
    for buyer in (market.buyer.actor, people["buyer_user"]):
        told = _about(buyer, room)
        assert [n["kind"] for n in told] == ["counter_offer"]
        assert told[0]["title"].endswith(f"from {market.oem_a.tenant.name}")
    assert len(_about(people["oem_a_sales"], room)) == 1  # its own counter tells it nothing

    accepted = client.post(
        f"/api/v1/rfqs/{rfq_id}/negotiation/accept",
        headers=market.headers["buyer"],
        json={"oemId": str(market.oem_a.tenant.id), "offerId": by_oem.json()["id"]},
    )
    assert accepted.status_code == 201, accepted.text
    relay()
    for seller in (market.oem_a.actor, people["oem_a_sales"]):
        told = [n for n in _about(seller, room) if n["kind"] == "offer_accepted"]
        assert len(told) == 1
        assert told[0]["title"].startswith(f"{market.buyer.tenant.name} accepted the offer")
    assert [n for n in _about(market.buyer.actor, room) if n["kind"] == "offer_accepted"] == []


def test_shipping_tells_the_buyer_and_delivery_tells_the_seller(client, market, people):  # noqa: F811
    order_id = _awarded_order(client, market)
    link = f"/orders?order={order_id}"
    serials = {
        market.sku_a.code: [f"A-{uuid.uuid4().hex[:8]}" for _ in range(2)],
        market.sku_b.code: [f"B-{uuid.uuid4().hex[:8]}"],
    }
    _move(client, market, "oem_a", order_id, status="shipped", serials=serials, shipment=SHIPMENT)
    relay()
    for buyer in (market.buyer.actor, people["buyer_user"]):
        assert [n["kind"] for n in _about(buyer, link)] == ["order_shipped"]
    assert _about(people["oem_a_sales"], link) == []

    _move(client, market, "buyer", order_id, status="delivered", goodsReceipt=goods_receipt())
    relay()
    for seller in (market.oem_a.actor, people["oem_a_sales"]):
        told = _about(seller, link)
        assert [n["kind"] for n in told] == ["order_delivered"]
        assert market.buyer.tenant.name in told[0]["title"]
    for bystander in (people["oem_a_tech"], people["oem_b_sales"], market.oem_b.actor):
        assert _about(bystander, link) == []
    assert [n["kind"] for n in _about(people["buyer_user"], link)] == ["order_shipped"]
    assert not any(t.startswith("SO-") for t in titles(people["oem_b_sales"]))


def _redeliver_everything() -> None:
    """As if every delivery had run again after a worker died holding it."""
    from sqlalchemy import text

    from services.db import system_session

    with system_session() as db:
        db.execute(
            text(
                "UPDATE event_delivery SET status = 'pending', next_attempt_at = now() "
                "WHERE subscriber = 'notify_people'"
            )
        )


def _awarded_order(client, market) -> str:  # noqa: F811
    from services.geo.models import HealthcareFacility

    with tenant_session(market.buyer.actor) as db:
        site = HealthcareFacility(
            tenant_id=market.buyer.tenant.id,
            name="Notice test site",
            pincode="110029",
            facility_type="hospital",
        )
        db.add(site)
        db.flush()
        site_id = str(site.id)
    rfq_id = raise_rfq(client, market)
    quote = send_quote(client, market, "oem_a", rfq_id, 18 * LAKH, 19 * LAKH)
    response = client.post(
        f"/api/v1/rfqs/{rfq_id}/award",
        headers=market.headers["buyer"],
        json={"quoteId": quote["quoteId"], "slaTier": "gold", "facilityId": site_id},
    )
    assert response.status_code == 201, response.text
    return response.json()["orderId"]


def _move(client, market, who: str, order_id: str, **body) -> None:  # noqa: F811
    response = client.post(
        f"/api/v1/orders/{order_id}/status", headers=market.headers[who], json=body
    )
    assert response.status_code == 200, response.text


def _waiting(actor) -> dict[str, list[str]]:
    with tenant_session(actor) as db:
        return {s.key: [i.link for i in s.items] for s in waiting_for(db, actor, limit=50)}


def test_each_sides_home_lists_what_waits_for_it(client, market, people):  # noqa: F811
    rfq_id = raise_rfq(client, market, items=[{"sku": market.sku_a.code, "qty": 1}])
    assert f"/rfqs/{rfq_id}" in _waiting(people["oem_a_sales"])["rfqs"]
    assert f"/rfqs/{rfq_id}" not in _waiting(people["oem_b_sales"])["rfqs"]
    assert f"/rfqs/{rfq_id}" not in _waiting(market.buyer.actor)["quotes"]

    response = client.post(
        f"/api/v1/rfqs/{rfq_id}/quotes",
        json={
            "lines": [{"item": market.sku_a.code, "unitPricePaise": 18 * LAKH}],
            "validUntil": (today_ist() + timedelta(days=30)).isoformat(),
            "leadTimeDays": 30,
            "warrantyYears": 2,
        },
        headers=market.headers["oem_a"],
    )
    assert response.status_code == 201, response.text
    assert f"/rfqs/{rfq_id}" not in _waiting(people["oem_a_sales"])["rfqs"]  # quoted
    assert f"/rfqs/{rfq_id}" in _waiting(people["buyer_user"])["quotes"]

    countered = client.post(
        f"/api/v1/rfqs/{rfq_id}/negotiation/counters",
        headers=market.headers["oem_a"],
        json={"offer": {"lines": [{"item": market.sku_a.code, "unitPricePaise": 17 * LAKH}]}},
    )
    assert countered.status_code == 201, countered.text
    room = f"/negotiation/{rfq_id}/{market.oem_a.tenant.id}"
    assert room in _waiting(market.buyer.actor)["buyer-counters"]
    assert room not in _waiting(people["oem_a_sales"])["oem-counters"]  # its own offer
