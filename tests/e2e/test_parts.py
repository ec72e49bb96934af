"""An OEM service manager in Chromium: the parts page shows the helium sensor low at the
Delhi NCR hub; a delivery is received there, and the low-stock alert clears, the line is no
longer highlighted and the receipt heads the recent movements. The service partner's
dispatcher sees only the partner's hubs, with their own low lines."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "parts"  # beside the checkout, never committed
HUB, CODE = "Medivance Delhi NCR", "MVI-MR-HE-SENSOR"
LOW = re.compile(r"\blow\b")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _pick(page: Page, trigger: str, option: str) -> None:
    page.locator(trigger).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_service_manager_receives_stock_and_the_low_stock_alert_clears(
    page: Page, browser, app_url: str
):
    sign_in(page, app_url, demo_email(Role.OEM_SERVICE_MANAGER))
    page.goto(f"{app_url}/parts")
    expect(page.locator("#low-stock-alert")).to_contain_text(f"{CODE} at {HUB}")
    line = page.locator("#stock-table tr.stock-line").filter(has_text=CODE).filter(has_text=HUB)
    expect(line).to_have_class(LOW)
    _shot(page, "parts-low")

    _pick(page, "#receive-hub", HUB)
    _pick(page, "#receive-part", f"{CODE} · Helium level sensor")
    page.fill("#receive-qty", "4")
    page.fill("#receive-form input[name=reference]", "DN-2026-2217")
    page.fill("#receive-form input[name=serials]", "HS-9001, HS-9002, HS-9003, HS-9004")
    page.click("#receive-form-submit")

    expect(page.locator("#stock-ok")).to_be_visible()
    expect(page.locator("#low-stock-alert")).to_have_count(0)
    expect(line).not_to_have_class(LOW)
    expect(line).to_contain_text("5")
    latest = page.locator("#movement-table tbody tr").first
    expect(latest).to_contain_text("Received")
    expect(latest).to_contain_text("DN-2026-2217")
    expect(latest).to_contain_text("HS-9001")
    _shot(page, "parts-restocked")

    # The service partner's dispatcher sees the partner's own hubs, with their low lines.
    desk = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    sign_in(desk, app_url, demo_email(Role.DISPATCHER))
    desk.goto(f"{app_url}/parts")
    expect(desk.locator("#low-stock-alert")).to_contain_text("KBS-VT-FLOW-SNS at Delhi South hub")
    expect(desk.locator("#stock-table")).not_to_contain_text("Medivance")
    _shot(desk, "parts-dispatcher")
    desk.context.close()
