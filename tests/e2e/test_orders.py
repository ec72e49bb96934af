"""The buyer awards a quote on the RFQ page; the OEM ships to the site shown, with
serials, transporter and docket number; the buyer's open orders page updates by itself;
delivery needs a goods-received note and installation a signed report; the devices are
then in the buyer's registry."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_negotiation import _negotiating_rfq
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "labels"  # beside the checkout, never committed


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

        buyer.locator(f"#order-{number} a").click()
        expect(buyer.locator("#orders-live")).to_be_visible(timeout=30_000)

        seller.goto(f"{app_url}/orders")
        seller.locator(f"#order-{number} a").click()
        expect(seller.locator("#ship-to")).to_contain_text(re.compile(r"– \d{6}"))
        serials = [f"PM-{uuid.uuid4().hex[:8].upper()}" for _ in range(10)]
        seller.locator(".serials-input input").first.fill(", ".join(serials))
        seller.click("#order-shipped")
        expect(seller.locator("#order-form-error")).to_contain_text("Transporter")
        seller.fill("#transporter", "Safexpress")
        seller.fill("#docket", "SX-4471-2026")
        SHOTS.mkdir(parents=True, exist_ok=True)
        seller.screenshot(path=str(SHOTS / "oem-ships-to-site.png"), full_page=True)
        seller.click("#order-shipped")
        expect(seller.locator(f"#order-{number} .order-status")).to_have_text("shipped")

        # The buyer's open page follows the shipment without a reload.
        expect(buyer.locator(f"#order-{number} .order-status")).to_have_text(
            "shipped", timeout=30_000
        )
        expect(buyer.locator("#shipment-record")).to_contain_text("docket SX-4471-2026")
        buyer.click("#order-delivered")
        expect(buyer.locator("#order-form-error")).to_contain_text("Received by")
        expect(buyer.locator(f"#order-{number} .order-status")).to_have_text("shipped")
        buyer.fill("#received-by", "R. Nair, stores")
        buyer.screenshot(path=str(SHOTS / "buyer-goods-received-note.png"), full_page=True)
        buyer.click("#order-delivered")
        expect(buyer.locator(f"#order-{number} .order-status")).to_have_text("delivered")
        expect(buyer.locator("#grn-record")).to_contain_text("Received in good condition")

        buyer.click("#check-functional")
        buyer.click("#check-safety")
        buyer.fill("#training", "Two nurses trained on alarms and daily checks, 2 hours")
        buyer.fill("#engineer-name", "S. Iyer, field engineer")
        buyer.fill("#engineer-signature", "S. Iyer")
        buyer.fill("#buyer-name", "Dr. A. Rao, biomedical")
        buyer.fill("#buyer-signature", "A. Rao")
        buyer.screenshot(path=str(SHOTS / "buyer-installation-report.png"), full_page=True)
        buyer.click("#order-installed")
        expect(buyer.locator(f"#order-{number} .order-status")).to_have_text("installed")
        expect(buyer.locator("#installation-record")).to_contain_text("Dr. A. Rao")
        buyer.screenshot(path=str(SHOTS / "order-installed-with-records.png"), full_page=True)

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
