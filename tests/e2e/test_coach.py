"""A buyer asks the coach in the room and reads, at a glance, its basis and confidence, the
terms valued at this quote's price for a CMC year, and a warning that the quoted lead time
misses the required-by date; no term nobody offered is mentioned. After the buyer's own
counter, the coach reasons from that counter and says to wait for the OEM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.common.clock import today_ist
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "coach"  # beside the checkout, never committed


def _quoted_rfq(api, app_url: str) -> tuple[str, str]:
    buyer, oem = _token(api, app_url, Role.BUYER_ADMIN), _token(api, app_url, Role.OEM_ADMIN)
    me = api.request.get(f"{app_url}/api/v1/me", headers=buyer).json()
    seller = api.request.get(f"{app_url}/api/v1/me", headers=oem).json()
    raised = api.request.post(
        f"{app_url}/api/v1/rfqs",
        headers=buyer,
        data={
            "buyerId": me["tenantId"],
            "title": "ICU monitors",
            "items": [{"sku": "MVI-PM12", "qty": 10}],
            "expiresAt": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "deliveryPincode": "110029",
            "requiredBy": (today_ist() + timedelta(days=30)).isoformat(),
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
            "cmcYears": 5,
            "cmcAnnualPaise": 2_40_000_00,
            "leadTimeDays": 60,
        },
    )
    assert quoted.status == 201, quoted.text()
    return rfq_id, seller["tenantId"]


def test_the_buyer_reads_the_coachs_basis_confidence_and_lead_time_warning(browser, app_url: str):
    api = browser.new_context()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        rfq_id, oem_id = _quoted_rfq(api, app_url)
        page = context.new_page()
        sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
        page.goto(f"{app_url}/negotiation/{rfq_id}/{oem_id}")
        expect(page.locator("#room-live")).to_have_text("live", timeout=15_000)
        page.click("#room-coach")
        tip = page.locator(".coach-tip")
        expect(tip).to_have_count(1)
        expect(tip.locator(".coach-basis")).to_contain_text("comparable Patient monitor deals")
        expect(tip.locator(".coach-basis")).to_contain_text("80% of such deals close between")
        expect(tip.locator(".coach-confidence")).to_contain_text("confidence")
        expect(tip.locator(".coach-flag")).to_contain_text("after the required-by date")
        expect(tip).to_contain_text("worth ₹2.40 L (this quote's price for a CMC year)")
        expect(tip).not_to_contain_text("credit")
        SHOTS.mkdir(parents=True, exist_ok=True)
        tip.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "room-coach-tip.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 800})
        tip.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "room-coach-tip-360.png"))
        page.set_viewport_size({"width": 1280, "height": 900})
        # After the buyer's own counter, the coach reasons from it and says to wait.
        page.locator(".counter-price input").first.fill("330000")
        page.click("#room-counter")
        expect(page.locator(".msg-counter .offer-total")).to_have_text("₹33,00,000.00")
        page.click("#room-coach")
        expect(tip).to_have_count(2)
        expect(tip.last).to_contain_text(
            "Your offer of ₹33.00 L is on the table (the OEM last stood at ₹38.50 L)"
        )
        expect(tip.last).not_to_contain_text("Suggested counter")
        tip.last.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "room-coach-wait.png"), full_page=True)
    finally:
        context.close()
        api.close()
