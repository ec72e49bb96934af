"""A market per test module: a hospital buyer and two competing OEMs, each selling one
SKU. Every test raises RFQs of its own, so tests never depend on each other."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from services.actor import Role, TenantKind
from services.catalog.models import Sku
from services.catalog.service import create_sku
from services.columns import utcnow
from services.common.clock import today_ist
from services.db import tenant_session
from services.rfq.quotes import QuoteLine, QuoteTerms
from tests.factories import PASSWORD, Org, make_org


@dataclass
class Market:
    buyer: Org
    oem_a: Org
    oem_b: Org
    sku_a: Sku  # sold by OEM A, GST 12 %
    sku_b: Sku  # sold by OEM B, GST 5 %
    headers: dict  # "buyer", "oem_a", "oem_b": Authorization headers


def _sku(oem: Org, gst: str) -> Sku:
    with tenant_session(oem.actor) as db:
        return create_sku(
            db,
            oem.actor,
            f"RFQ-{uuid.uuid4().hex[:8].upper()}",
            "Test ultrasound",
            "Ultrasound",
            "B",
            20_00_000_00,
            Decimal(gst),
        )


@pytest.fixture(scope="module")
def market(auth) -> Market:
    buyer = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    oem_a = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    oem_b = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    headers = {
        key: auth(org.email, PASSWORD)
        for key, org in (("buyer", buyer), ("oem_a", oem_a), ("oem_b", oem_b))
    }
    return Market(buyer, oem_a, oem_b, _sku(oem_a, "12"), _sku(oem_b, "5"), headers)


def in_future(seconds: int = 3600) -> str:
    return (utcnow() + timedelta(seconds=seconds)).isoformat()


def rfq_body(market: Market, **fields) -> dict:
    """An RFQ for one of each OEM's SKU, sent to both (every OEM of those SKUs)."""
    return {
        "buyerId": str(market.buyer.tenant.id),
        "items": [{"sku": market.sku_a.code, "qty": 2}, {"sku": str(market.sku_b.id), "qty": 1}],
        "expiresAt": in_future(),
        "deliveryPincode": "110029",
        "terms": "Delivery and installation included",
    } | fields


def raise_rfq(client, market: Market, **fields) -> str:
    response = client.post(
        "/api/v1/rfqs", json=rfq_body(market, **fields), headers=market.headers["buyer"]
    )
    assert response.status_code == 201, response.text
    return response.json()["rfqId"]


def quote_body(market: Market, price_a: int, price_b: int, **fields) -> dict:
    return {
        "lines": [
            {"item": market.sku_a.code, "unitPricePaise": price_a},
            {"item": market.sku_b.code, "unitPricePaise": price_b},
        ],
        "validUntil": (today_ist() + timedelta(days=30)).isoformat(),
        "leadTimeDays": 30,
        "warrantyYears": 2,
    } | fields


def send_quote(
    client, market: Market, oem: str, rfq_id: str, price_a: int, price_b: int, **fields
) -> dict:
    response = client.post(
        f"/api/v1/rfqs/{rfq_id}/quotes",
        json=quote_body(market, price_a, price_b, **fields),
        headers=market.headers[oem],
    )
    assert response.status_code == 201, response.text
    return response.json()


def terms(market: Market, price_a: int, price_b: int, **fields) -> QuoteTerms:
    return QuoteTerms(
        lines=[QuoteLine(market.sku_a.code, price_a), QuoteLine(market.sku_b.code, price_b)],
        valid_until=today_ist() + timedelta(days=30),
        **({"lead_time_days": 30} | fields),
    )
