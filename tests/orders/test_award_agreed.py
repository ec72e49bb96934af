"""What the room agreed is what gets awarded: the accepted counter-offer's revision, with
its net price and terms on the contract and the purchase order; the award dialog's preview
names it and defaults to the RFQ's own delivery site."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.db import tenant_session
from services.geo.models import HealthcareFacility
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LAKH = 1_00_000_00
CRORE = 100 * LAKH


@pytest.fixture(scope="module")
def sites(market):  # noqa: F811
    """Two of the buyer's sites: Mumbai sorts first, the RFQ delivers to Bengaluru."""
    made = {}
    with tenant_session(market.buyer.actor) as db:
        for name, pincode in (("A Mumbai site", "400001"), ("Bengaluru imaging centre", "560034")):
            place = HealthcareFacility(
                tenant_id=market.buyer.tenant.id,
                name=name,
                pincode=pincode,
                facility_type="hospital",
            )
            db.add(place)
            db.flush()
            made[pincode] = str(place.id)
    return made


def _agreed_rfq(client, market) -> tuple[str, dict, dict]:  # noqa: F811
    """The OEM quotes ₹5.98 Cr with 2 + 5 years; the room agrees ₹5.45 Cr with 3 + 7."""
    rfq_id = raise_rfq(client, market, deliveryPincode="560034")
    first = send_quote(
        client,
        market,
        "oem_a",
        rfq_id,
        2 * CRORE,
        198 * LAKH,
        warrantyYears=2,
        cmcYears=5,
        cmcAnnualPaise=30 * LAKH,
    )
    url, oem = f"/api/v1/rfqs/{rfq_id}/negotiation", str(market.oem_a.tenant.id)
    counter = client.post(
        f"{url}/counters",
        headers=market.headers["oem_a"],
        json={
            "offer": {
                "lines": [
                    {"item": market.sku_a.code, "unitPricePaise": 180 * LAKH},
                    {"item": market.sku_b.code, "unitPricePaise": 185 * LAKH},
                ],
                "terms": {"warrantyYears": 3, "cmcYears": 7},
            }
        },
    )
    assert counter.status_code == 201, counter.text
    accepted = client.post(
        f"{url}/accept",
        headers=market.headers["buyer"],
        json={"oemId": oem, "offerId": counter.json()["id"]},
    )
    assert accepted.status_code == 201, accepted.text
    return rfq_id, first, accepted.json()


def test_the_accepted_counter_is_what_gets_awarded(client, market, sites):  # noqa: F811
    rfq_id, first, agreed = _agreed_rfq(client, market)
    award = f"/api/v1/rfqs/{rfq_id}/award"
    stale = client.post(award, headers=market.headers["buyer"], json={"quoteId": first["quoteId"]})
    assert stale.status_code == 409  # the ₹5.98 Cr revision is no longer the offer
    preview = client.get(
        f"/api/v1/rfqs/{rfq_id}/award-preview",
        params={"quoteId": agreed["quoteId"]},
        headers=market.headers["buyer"],
    ).json()
    assert preview["revision"] == 2 and preview["isAgreed"]
    assert preview["netPaise"] == 545 * LAKH
    assert (preview["warrantyYears"], preview["cmcYears"]) == (3, 7)
    assert preview["facilityId"] == sites["560034"]  # the RFQ's site, not the first listed
    assert [t["tier"] for t in preview["tiers"]] == ["platinum", "gold", "silver", "bronze"]
    assert "P1" in preview["tiers"][0]["text"]

    done = client.post(award, headers=market.headers["buyer"], json={"quoteId": agreed["quoteId"]})
    assert done.status_code == 201, done.text
    result = done.json()
    with tenant_session(market.buyer.actor) as db:
        contract = db.execute(
            text("SELECT quote_id::text, terms FROM contract WHERE id = :c"),
            {"c": result["contractId"]},
        ).one()
        po = db.execute(
            text("SELECT subtotal_paise, terms FROM purchase_order WHERE id = :p"),
            {"p": result["purchaseOrderId"]},
        ).one()
        order_site = db.execute(
            text("SELECT facility_id::text FROM sales_order WHERE id = :o"),
            {"o": result["orderId"]},
        ).scalar_one()
    assert contract.quote_id == agreed["quoteId"]
    assert contract.terms["amountPaise"] == 545 * LAKH
    assert (contract.terms["warrantyYears"], contract.terms["cmcYears"]) == (3, 7)
    assert contract.terms["quoteRevision"] == 2
    assert po.subtotal_paise == 545 * LAKH
    assert (po.terms["warrantyYears"], po.terms["cmcYears"]) == (3, 7)
    assert order_site == sites["560034"]


def test_the_comparison_ranks_the_agreed_deal_over_the_ten_year_horizon(client, market, sites):  # noqa: F811
    rfq_id, _first, agreed = _agreed_rfq(client, market)
    send_quote(
        client,
        market,
        "oem_b",
        rfq_id,
        2 * CRORE,
        198 * LAKH,
        warrantyYears=2,
        cmcYears=5,
        cmcAnnualPaise=30 * LAKH,
    )
    view = client.get(f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]).json()
    ranked = view["comparison"]["quotes"]
    assert view["comparison"]["horizonYears"] == 10
    assert ranked[0]["quoteId"] == agreed["quoteId"] and ranked[0]["isAgreed"]
    assert ranked[0]["uncoveredYears"] == 0 and ranked[1]["uncoveredYears"] == 3
