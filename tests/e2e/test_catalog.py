"""The catalog in Chromium: a buyer finds a misspelt device and narrows by facet; finds
the 1.5 T MRIs however the words are put, is helped out of an empty result without losing
the filters, and opens a product's page; an OEM adds a SKU and imports a price list with a
bad row."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "search"  # beside the checkout, never committed


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _cards(page):
    return page.locator("#catalog-results .rt-Card")


def test_a_buyer_finds_1_5_t_mris_in_the_words_of_the_trade(page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.goto(f"{app_url}/catalog")
    expect(page.locator("#catalog-summary")).to_contain_text("Showing ")
    page.fill("#catalog-q", "MRi 1.5 tesla")
    expect(page.locator("#catalog-match-note")).to_contain_text("match every word")
    note = page.locator("#catalog-match-note").inner_text()
    full = int(note.split(" match every word")[0].replace(",", ""))
    assert full >= 2, note
    for n in range(min(full, 6)):
        card = _cards(page).nth(n)
        expect(card).to_contain_text("MRI")
        expect(card.locator(".card-specs")).to_contain_text("1.5 T")
    expect(page.locator("#facet-specs")).to_contain_text("Field strength")
    expect(page.locator("#facet-specs")).to_contain_text("1.5 T")
    _shot(page, "1-mri-1.5-tesla")

    page.fill("#catalog-q", "magnetic resonance")
    expect(_cards(page).first.locator(".card-code")).to_contain_text("MRI")
    expect(page.locator("#facet-specs")).to_contain_text("Field strength")
    _shot(page, "2-magnetic-resonance")

    # The product page of the first MRI found.
    name = _cards(page).first.locator(".product-link").inner_text()
    _cards(page).first.locator(".product-link").click()
    page.wait_for_url("**/catalog/*")
    expect(page.locator("#product-name")).to_have_text(name)
    expect(page.locator("#product-specs")).to_contain_text("Field strength")
    expect(page.locator("#product-category")).to_have_text("MRI")
    expect(page.locator("#product-risk")).to_contain_text("Class C")
    expect(page.locator("#product-price")).to_contain_text("₹")
    expect(page.locator("#product-request-quote")).to_be_visible()
    _shot(page, "5-product-page")
    page.click("#product-request-quote")
    page.wait_for_url("**/rfqs/new?sku=*")


def test_an_empty_result_keeps_the_filters_and_suggests_a_way_out(page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.goto(f"{app_url}/catalog")
    page.fill("#catalog-q", "ventilator")
    risk = page.locator("#facet-riskClass")
    risk.locator("label", has_text="Class C").locator("button[role=checkbox]").click()
    expect(page.locator("#clear-filters")).to_be_visible()
    # A word so garbled no SKU matches: the filters stay and the nearest word is offered.
    page.fill("#catalog-q", "wentilatorx")
    expect(page.locator("#catalog-empty")).to_contain_text("matches nothing")
    expect(page.locator("#did-you-mean")).to_have_text("ventilator")
    expect(risk).to_contain_text("Class C")
    expect(page.locator("#clear-filters")).to_be_visible()
    _shot(page, "3-empty-did-you-mean")
    page.click("#did-you-mean")
    expect(page.locator("#catalog-q")).to_have_value("ventilator")
    expect(_cards(page).first).to_contain_text("Ventilator")
    # Words that match only outside the filters: dropping them is offered with its count.
    page.fill("#catalog-q", "defibrillator")
    expect(page.locator("#catalog-empty")).to_be_visible()
    expect(page.locator("#drop-filters")).to_contain_text("SKUs match")
    expect(risk).to_contain_text("Class D")
    _shot(page, "4-empty-drop-filters")
    page.click("#drop-filters")
    expect(_cards(page).first).to_contain_text("Defibrillator")


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
    code = card.locator(".card-code").inner_text().split(" · ")[0]
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
