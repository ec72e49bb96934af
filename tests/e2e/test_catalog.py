"""The catalog in Chromium: a buyer finds a misspelt device and narrows by facet; an OEM
adds a SKU and imports a price list with a bad row."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e


def test_a_buyer_finds_a_misspelt_device_and_narrows_by_risk_class(page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.goto(f"{app_url}/catalog")
    expect(page.locator("#catalog-summary")).to_contain_text("Showing ")
    expect(page.locator("#tab-add-sku")).to_have_count(0)
    page.fill("#catalog-q", "ventilater")
    first = page.locator("#catalog-results .rt-Card").first
    expect(first).to_contain_text("Ventilator")
    expect(first).to_contain_text("₹")
    risk = page.locator("#facet-riskClass")
    expect(risk).to_contain_text("Class C")
    risk.locator("button[role=checkbox]").first.click()
    expect(page.locator("#clear-filters")).to_be_visible()
    # Defibrillators are class D: none under the class C filter, until it is cleared.
    page.fill("#catalog-q", "defibrilator")
    expect(page.locator("#catalog-empty")).to_be_visible()
    expect(risk).to_contain_text("Class D")
    page.click("#clear-filters")
    card = page.locator("#catalog-results .rt-Card").first
    expect(card).to_contain_text("Defibrillator")
    expect(page.locator("#clear-filters")).to_have_count(0)
    # From the catalog straight to an RFQ for that device.
    code = card.locator(".rt-Text").nth(1).inner_text().split(" · ")[0]
    card.locator(".request-quote").click()
    page.wait_for_url("**/rfqs/new?sku=*")
    expect(page.get_by_text(code, exact=True)).to_be_visible(timeout=30_000)


def test_an_oem_adds_a_sku_and_imports_a_price_list(page, app_url: str, tmp_path):
    code = f"E2E-{uuid.uuid4().hex[:6].upper()}"
    sign_in(page, app_url, demo_email(Role.OEM_ADMIN))
    page.goto(f"{app_url}/catalog")
    page.click("#tab-add-sku")
    page.fill("#sku-code", code)
    page.fill("#sku-name", "Browsertest 7 Syringe Pump")
    page.fill("#sku-category", "Syringe pump")
    page.fill("#sku-price", "1,25,000")
    page.click("#sku-add")
    expect(page.get_by_text(f"{code} is listed")).to_be_visible()

    prices = tmp_path / "prices.csv"
    prices.write_text(
        "code,name,category,risk_class,list_price_inr\n"
        f"{code}-CSV,Browsertest 8 Infusion Pump,Infusion pump,C,98000\n"
        f"{code}-BAD,Browsertest 9 Infusion Pump,Infusion pump,Z,98000\n"
    )
    page.click("#tab-import-csv")
    page.locator("#catalog-file input[type=file]").set_input_files(str(prices))
    page.click("#catalog-import")
    expect(page.locator("#catalog-import-summary")).to_contain_text("1 SKUs added")
    expect(page.locator("#catalog-import-errors")).to_contain_text("risk_class")

    page.get_by_role("tab", name="Search").click()
    page.fill("#catalog-q", "browsertest")
    expect(page.locator("#catalog-summary")).to_contain_text("Showing 2 of 2")
