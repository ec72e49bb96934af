"""Raising RFQs through the API: the platform guide's request, bad input, who sees what,
drafts, and the state machine's 409s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from services.db import system_session
from tests.rfq.conftest import in_future, quote_body, raise_rfq, rfq_body, send_quote


def _events(rfq_id: str) -> list[str]:
    with system_session() as db:
        return list(
            db.execute(
                text("SELECT name FROM outbox_event WHERE entity_id = :r ORDER BY seq"),
                {"r": rfq_id},
            ).scalars()
        )


def test_the_platform_guide_sample_raises_an_open_rfq(client, market):
    body = {
        "buyerId": str(market.buyer.tenant.id),
        "items": [{"sku": market.sku_a.code, "qty": 1}],
        "expiresAt": (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    response = client.post("/api/v1/rfqs", json=body, headers=market.headers["buyer"])
    assert response.status_code == 201
    rfq_id = response.json()["rfqId"]
    read = client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["buyer"]).json()
    assert read["status"] == "open" and read["number"].startswith("RFQ-")
    assert [(i["skuCode"], i["qty"]) for i in read["items"]] == [(market.sku_a.code, 1)]
    # every OEM of those SKUs: only OEM A sells it
    assert [r["oemId"] for r in read["recipients"]] == [str(market.oem_a.tenant.id)]
    assert _events(rfq_id)[:1] == ["RFQCreated"] and "RFQOpened" in _events(rfq_id)


@pytest.mark.parametrize(
    "change,field",
    [
        ({"buyerId": "00000000-0000-0000-0000-000000000001"}, "buyerId"),
        ({"buyerId": "not-a-uuid"}, "buyerId"),
        ({"items": []}, "items"),
        ({"items": [{"sku": "NO-SUCH-SKU", "qty": 1}]}, "items.0.sku"),
        ({"items": [{"sku": "", "qty": 1}]}, "items.0.sku"),
        ({"items": [{"sku": "X", "qty": 0}]}, "items.0.qty"),
        ({"items": [{"sku": "X", "qty": "two"}]}, "items.0.qty"),
        ({"expiresAt": "2020-01-01T00:00:00Z"}, "expiresAt"),
        ({"expiresAt": "2099-01-01T00:00:00"}, "expiresAt"),
        ({"expiresAt": "tomorrow"}, "expiresAt"),
        ({"deliveryPincode": "000000"}, "deliveryPincode"),
        ({"requiredBy": "2020-01-01"}, "requiredBy"),
        ({"oemIds": []}, "oemIds"),
        ({"oemIds": ["00000000-0000-0000-0000-000000000002"]}, "oemIds"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, market, change, field):
    body = rfq_body(market, **change)
    if field == "items.0.qty":
        body["items"][0]["sku"] = market.sku_a.code
    response = client.post("/api/v1/rfqs", json=body, headers=market.headers["buyer"])
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field


def test_a_buyer_cannot_send_an_rfq_to_a_hospital(client, market):
    body = rfq_body(market, oemIds=[str(market.buyer.tenant.id)])
    response = client.post("/api/v1/rfqs", json=body, headers=market.headers["buyer"])
    assert response.status_code == 400 and response.json()["error"]["field"] == "oemIds"


def test_an_oem_cannot_raise_an_rfq(client, market):
    body = rfq_body(market, buyerId=str(market.oem_a.tenant.id))
    assert (
        client.post("/api/v1/rfqs", json=body, headers=market.headers["oem_a"]).status_code == 403
    )


def test_chosen_oems_alone_receive_the_rfq(client, market):
    rfq_id = raise_rfq(client, market, oemIds=[str(market.oem_b.tenant.id)])
    in_a = [
        r["rfqId"]
        for r in client.get("/api/v1/rfqs", headers=market.headers["oem_a"]).json()["rfqs"]
    ]
    in_b = [
        r["rfqId"]
        for r in client.get("/api/v1/rfqs", headers=market.headers["oem_b"]).json()["rfqs"]
    ]
    assert rfq_id in in_b and rfq_id not in in_a
    assert client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["oem_a"]).status_code == 404
    seen = client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["oem_b"]).json()
    assert "recipients" not in seen  # an OEM never learns who else was asked


def test_an_oem_reading_the_rfq_is_shown_to_the_buyer_as_seen(client, market):
    rfq_id = raise_rfq(client, market)
    before = client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["buyer"]).json()
    assert all(r["seenAt"] is None for r in before["recipients"])
    client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["oem_a"])
    after = client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["buyer"]).json()
    seen = {r["oemId"]: r["seenAt"] for r in after["recipients"]}
    assert seen[str(market.oem_a.tenant.id)] and seen[str(market.oem_b.tenant.id)] is None


def test_a_draft_reaches_no_oem_until_it_is_opened(client, market):
    rfq_id = raise_rfq(client, market, draft=True)
    assert client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["oem_a"]).status_code == 404
    opened = client.post(f"/api/v1/rfqs/{rfq_id}/open", headers=market.headers["buyer"])
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert (
        client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["oem_a"]).json()["status"]
        == "open"
    )
    again = client.post(f"/api/v1/rfqs/{rfq_id}/open", headers=market.headers["buyer"])
    assert again.status_code == 409
    assert "allowed: negotiating, expired, cancelled" in again.json()["error"]["message"]


def test_the_buyer_lists_its_own_rfqs_only(client, market, auth):
    rfq_id = raise_rfq(client, market)
    own = client.get("/api/v1/rfqs", headers=market.headers["buyer"]).json()["rfqs"]
    other = client.get("/api/v1/rfqs", headers=auth("buyer_admin")).json()["rfqs"]
    assert rfq_id in [r["rfqId"] for r in own]
    assert rfq_id not in [r["rfqId"] for r in other]
    assert client.get(f"/api/v1/rfqs/{rfq_id}", headers=auth("buyer_admin")).status_code == 404
    assert (
        client.get("/api/v1/rfqs?status=won", headers=market.headers["buyer"]).json()["error"][
            "field"
        ]
        == "status"
    )


def test_cancelling_follows_the_state_machine(client, market):
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 10_00_000_00, 5_00_000_00)
    cancelled = client.post(
        f"/api/v1/rfqs/{rfq_id}/cancel",
        json={"reason": "budget cut"},
        headers=market.headers["buyer"],
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/rfqs/{rfq_id}/cancel", headers=market.headers["buyer"])
    assert again.status_code == 409
    assert "allowed: none" in again.json()["error"]["message"]
    late = client.post(
        f"/api/v1/rfqs/{rfq_id}/quotes",
        json=quote_body(market, 1_00_000_00, 1_00_000_00),
        headers=market.headers["oem_b"],
    )
    assert late.status_code == 409
    assert (
        client.post(f"/api/v1/rfqs/{rfq_id}/cancel", headers=market.headers["oem_a"]).status_code
        == 403
    )
    assert "RFQStatusChanged" in _events(rfq_id)


def test_expiry_in_the_past_is_refused_even_for_a_near_moment(client, market):
    response = client.post(
        "/api/v1/rfqs",
        json=rfq_body(market, expiresAt=in_future(-5)),
        headers=market.headers["buyer"],
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "expiresAt"
