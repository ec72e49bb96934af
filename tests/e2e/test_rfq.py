"""A hospital raises an RFQ in the browser, the OEM finds it in its inbox and quotes, and
the buyer sees the quote ranked in the comparison."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e


def test_raise_an_rfq_get_a_quote_and_compare(browser, app_url: str):
    buyer = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    buyer.set_default_timeout(20_000)
    sign_in(buyer, app_url, demo_email(Role.BUYER_ADMIN))
    buyer.goto(f"{app_url}/rfqs/new")
    buyer.fill("#sku-search", "Clarus 9 Ultra")  # the demo catalog has other Clarus models
    buyer.get_by_role("button", name="Add").first.click()
    expect(buyer.get_by_text("MVI-US9")).to_be_visible()
    buyer.fill("#rfq-pincode", "110029")
    buyer.click("#rfq-send")
    buyer.wait_for_url(re.compile(r".*/rfqs/[0-9a-f-]{36}$"))
    expect(buyer.locator("#rfq-status")).to_have_text("open")
    number = buyer.locator("#rfq-number").inner_text()

    oem = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    oem.set_default_timeout(20_000)
    sign_in(oem, app_url, demo_email(Role.OEM_SALES))
    oem.goto(f"{app_url}/rfqs")
    oem.get_by_role("link", name=number).click()
    oem.get_by_placeholder("Unit price ₹").fill("27,00,000")
    oem.click("#quote-send")
    expect(oem.locator("#quote-history")).to_contain_text("₹30,24,000.00")

    buyer.reload()
    expect(buyer.locator("#rfq-status")).to_have_text("negotiating")
    comparison = buyer.locator("#rfq-comparison")
    expect(comparison).to_contain_text("Medivance Imaging (demo)")
    expect(comparison).to_contain_text("₹30,24,000.00")  # 27 L + 12 % GST
