"""From a quote to the award in two browsers: the OEM's empty price is refused in the quote
form, a late lead time is flagged before sending, the OEM counters in the room, the buyer
accepts, and the award dialog offers exactly the agreed revision at the RFQ's own site
(Koramangala, 560034), not the first site in the list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "award"  # beside the checkout, never committed


def _rfq_to_bengaluru(api, app_url: str) -> tuple[str, str]:
    buyer, oem = _token(api, app_url, Role.BUYER_ADMIN), _token(api, app_url, Role.OEM_ADMIN)
    me = api.request.get(f"{app_url}/api/v1/me", headers=buyer).json()
    seller = api.request.get(f"{app_url}/api/v1/me", headers=oem).json()
    raised = api.request.post(
        f"{app_url}/api/v1/rfqs",
        headers=buyer,
        data={
            "buyerId": me["tenantId"],
            "title": "Patient monitors for Koramangala",
            "items": [{"sku": "MVI-PM12", "qty": 10}],
            "expiresAt": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "deliveryPincode": "560034",
            "requiredBy": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
            "oemIds": [seller["tenantId"]],
        },
    )
    assert raised.status == 201, raised.text()
    return raised.json()["rfqId"], seller["tenantId"]


def _shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=full_page)


def test_an_accepted_counter_is_what_the_award_dialog_awards(browser, app_url: str):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    try:
        rfq_id, oem_id = _rfq_to_bengaluru(contexts[2], app_url)
        buyer, seller = contexts[0].new_page(), contexts[1].new_page()
        sign_in(buyer, app_url, demo_email(Role.BUYER_ADMIN))
        sign_in(seller, app_url, demo_email(Role.OEM_ADMIN))

        # The OEM's form starts from the list price; an emptied price is refused.
        seller.goto(f"{app_url}/rfqs/{rfq_id}")
        price = seller.locator(".quote-price input, input.quote-price").first
        expect(price).not_to_have_value("")
        price.fill("")
        seller.click("#quote-send")
        expect(seller.get_by_text("a line at ₹0 is not a quote")).to_be_visible()
        expect(seller.locator("#quote-history")).to_have_count(0)  # nothing was sent
        price.fill("400000")
        seller.fill("#quote-lead", "90")
        seller.fill("#quote-cmc_annual", "30000")
        seller.fill("#quote-installation", "Installation and wall mounts included")
        expect(seller.locator("#quote-total")).to_contain_text("₹40,00,000.00 before GST")
        expect(seller.locator("#quote-lead-warning")).to_contain_text("after the required-by")
        _shot(seller, "1-oem-quote-form.png")
        seller.click("#quote-send")
        expect(seller.locator("#quote-history")).to_contain_text("submitted")

        # The OEM counters in the room with better terms; the buyer accepts.
        room = f"{app_url}/negotiation/{rfq_id}/{oem_id}"
        seller.goto(room)
        expect(seller.locator("#room-live")).to_have_text("live")
        seller.locator(".counter-price input, input.counter-price").first.fill("372000")
        seller.get_by_placeholder("years").first.fill("3")
        seller.get_by_placeholder("years").nth(1).fill("7")
        seller.click("#room-counter")
        expect(seller.locator("#room-table-what")).to_contain_text("You: counter-offer")
        buyer.goto(room)
        expect(buyer.locator("#room-table-price")).to_have_text("₹37,20,000.00 before GST")
        expect(buyer.locator("#room-table-terms")).to_contain_text("3 y warranty, 7 y CMC")
        buyer.click("#room-accept")
        buyer.click("#room-accept-confirm")
        expect(buyer.locator("#room-agreed")).to_be_visible()
        expect(buyer.locator("#room-table-what")).to_contain_text("Agreed: quote revision 2")
        expect(seller.locator("#room-agreed")).to_be_visible()
        _shot(buyer, "2-buyer-room-agreed.png")

        # The award dialog offers the agreed revision at the RFQ's own site.
        buyer.goto(f"{app_url}/rfqs/{rfq_id}")
        expect(buyer.locator("#rfq-horizon")).to_contain_text("10 years")
        expect(buyer.locator("#rfq-terms")).to_contain_text("Installation and wall mounts")
        expect(buyer.locator("#rfq-terms")).to_contain_text("after the required-by date")
        buyer.click("#award-1")
        expect(buyer.locator("#award-revision")).to_have_text("Quote revision 2 (the agreed offer)")
        expect(buyer.locator("#award-net")).to_have_text("₹37,20,000.00")
        expect(buyer.locator("#award-terms")).to_contain_text("3 y warranty, 7 y CMC")
        expect(buyer.locator("#award-site")).to_contain_text("Koramangala (560034)")
        expect(buyer.get_by_text(re.compile(r"Platinum: a P1 breakdown"))).to_be_visible()
        expect(buyer.locator("#award-terms")).to_contain_text("₹30,000.00 a year")
        _shot(buyer, "3-buyer-award-dialog.png", full_page=False)
        buyer.click("#award-confirm")
        buyer.wait_for_url(re.compile(r".*/orders$"))
        expect(buyer.get_by_text("No orders yet")).to_have_count(0)
        _shot(buyer, "4-buyer-orders.png")
        headers = _token(contexts[2], app_url, Role.BUYER_ADMIN)
        rfq = contexts[2].request.get(f"{app_url}/api/v1/rfqs/{rfq_id}", headers=headers)
        assert rfq.json()["status"] == "awarded"
        orders = contexts[2].request.get(f"{app_url}/api/v1/orders", headers=headers).json()
        placed = next(o for o in orders["orders"] if o["lines"][0]["skuCode"] == "MVI-PM12")
        assert placed["totalPaise"] == 41_66_400_00  # ₹37.2 L agreed + 12 % GST
    finally:
        for context in contexts:
            context.close()
