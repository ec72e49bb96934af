"""A buyer and an OEM negotiate in two browsers: a counter-offer reaches the other side
without a reload (how fast is a benchmark figure, bench/live.py), and the coach's tip on
it, weighed by a worker, shows for the buyer only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in
from tests.workers import celery_running

pytestmark = pytest.mark.e2e


def _negotiating_rfq(api, app_url: str) -> tuple[str, str]:
    buyer, oem = _token(api, app_url, Role.BUYER_ADMIN), _token(api, app_url, Role.OEM_ADMIN)
    me = api.request.get(f"{app_url}/api/v1/me", headers=buyer).json()
    seller = api.request.get(f"{app_url}/api/v1/me", headers=oem).json()
    raised = api.request.post(
        f"{app_url}/api/v1/rfqs",
        headers=buyer,
        data={
            "buyerId": me["tenantId"],
            "items": [{"sku": "MVI-PM12", "qty": 10}],
            "expiresAt": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "deliveryPincode": "110029",
            "oemIds": [seller["tenantId"]],
        },
    )
    assert raised.status == 201, raised.text()
    rfq_id = raised.json()["rfqId"]
    quoted = api.request.post(
        f"{app_url}/api/v1/rfqs/{rfq_id}/quotes",
        headers=oem,
        data={
            "lines": [{"item": "MVI-PM12", "unitPricePaise": 3_85_000_00}],
            "validUntil": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
            "warrantyYears": 1,
            "leadTimeDays": 21,
        },
    )
    assert quoted.status == 201, quoted.text()
    return rfq_id, seller["tenantId"]


@pytest.fixture
def workers(tmp_path: Path):
    with celery_running(tmp_path):
        yield


def test_a_counter_offer_reaches_the_other_side_live(browser, app_url: str, workers):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    try:
        rfq_id, oem_id = _negotiating_rfq(contexts[2], app_url)
        buyer, seller = contexts[0].new_page(), contexts[1].new_page()
        sign_in(buyer, app_url, demo_email(Role.BUYER_ADMIN))
        sign_in(seller, app_url, demo_email(Role.OEM_ADMIN))
        for page in (buyer, seller):
            page.goto(f"{app_url}/negotiation/{rfq_id}/{oem_id}")
            expect(page.locator("#room-live")).to_have_text("live", timeout=15_000)

        seller.locator(".counter-price input").first.fill("372000")
        seller.click("#room-counter")
        buyer.wait_for_function("document.querySelector('.msg-counter') !== null", timeout=30_000)
        expect(buyer.locator(".msg-counter .offer-total")).to_have_text("₹37,20,000.00")
        # A worker has the coach weigh the OEM's counter-offer for the buyer unasked...
        expect(buyer.locator(".coach-tip")).to_have_count(1, timeout=30_000)
        expect(buyer.locator(".coach-tip")).to_contain_text("Fair band")
        # ...and again when asked.
        buyer.click("#room-coach")
        expect(buyer.locator(".coach-tip")).to_have_count(2, timeout=10_000)
        buyer.locator("#room-draft").fill("Can you include two more years of CMC?")
        buyer.click("#room-send")
        expect(seller.locator(".msg-message")).to_contain_text("two more years of CMC")
        expect(seller.locator(".coach-tip")).to_have_count(0)
        # The OEM has the room open, so the buyer sees its message read.
        expect(buyer.locator(".msg-message .receipt")).to_contain_text("Read", timeout=30_000)
    finally:
        for context in contexts:
            context.close()
