"""The buyer awards a quote on the RFQ page; the OEM ships with serials; the buyer
receives and signs off installation, and the devices are in its registry."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.e2e.test_negotiation import _negotiating_rfq
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e


def test_award_ship_receive_install(browser, app_url: str):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    try:
        rfq_id, _oem_id = _negotiating_rfq(contexts[2], app_url)
        buyer, seller = contexts[0].new_page(), contexts[1].new_page()
        sign_in(buyer, app_url, demo_email(Role.BUYER_ADMIN))
        sign_in(seller, app_url, demo_email(Role.OEM_ADMIN))

        buyer.goto(f"{app_url}/rfqs/{rfq_id}")
        buyer.click("#award-1")
        buyer.click("#award-confirm")
        expect(buyer).to_have_url(f"{app_url}/orders", timeout=30_000)
        expect(buyer.locator(".order-status").first).to_have_text("confirmed")
        number = buyer.locator("#order-table tbody tr").first.locator("td").first.inner_text()

        seller.goto(f"{app_url}/orders")
        seller.locator(f"#order-{number} a").click()
        serials = [f"PM-{uuid.uuid4().hex[:8].upper()}" for _ in range(10)]
        seller.locator(".serials-input input").first.fill(", ".join(serials))
        seller.click("#order-shipped")
        expect(seller.locator(f"#order-{number} .order-status")).to_have_text("shipped")

        buyer.reload()
        buyer.locator(f"#order-{number} a").click()
        buyer.click("#order-delivered")
        expect(buyer.locator(f"#order-{number} .order-status")).to_have_text("delivered")
        buyer.click("#order-installed")
        expect(buyer.locator(f"#order-{number} .order-status")).to_have_text("installed")

        headers = _token(contexts[2], app_url, Role.BUYER_ADMIN)
        found = (
            contexts[2]
            .request.get(f"{app_url}/api/v1/devices", headers=headers, params={"q": serials[0]})
            .json()["devices"]
        )
        assert [d["serialNumber"] for d in found] == [serials[0]]
        rfq = contexts[2].request.get(f"{app_url}/api/v1/rfqs/{rfq_id}", headers=headers)
        assert rfq.json()["status"] == "closed"
    finally:
        for context in contexts:
            context.close()
