"""A nurse scans a device's label with a phone's own camera: the link opens the device's
public page without signing in, she reports the fault once, and sending it again at once
is turned away."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from services.db import system_session
from services.qr.links import label_url
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "label"  # beside the checkout, never committed
SERIAL = "MVI-US9-24-004410"


def test_a_phone_opens_the_label_link_and_reports_a_fault_once(browser, app_url: str):
    with system_session() as db:
        payload = db.execute(
            text(
                "SELECT q.payload FROM qr_code q JOIN equipment e ON e.id = q.device_id "
                "WHERE e.serial_number = :s AND q.status = 'active'"
            ),
            {"s": SERIAL},
        ).scalar_one()
    link = label_url(payload)  # HTTPS://LOCALHOST:8000/Q/…: the path, opened on the test app
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = app_url + link[link.index("/Q/") :].lower()
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("Ultrasound")
    expect(page.get_by_text("Report a fault")).to_be_visible()
    page.screenshot(path=str(SHOTS / "label-page.png"), full_page=True)

    for attempt in range(4):
        if attempt:
            page.goto(url)  # the label scanned again
        page.fill("#name", "Sister Rekha")
        page.fill("#phone", "98100 12345")
        page.select_option("#state", "down")
        page.fill("#description", "Probe image shows vertical lines again")
        with page.expect_navigation():
            page.click("button[type=submit]")
        if attempt == 0:
            expect(page.locator(".ok")).to_contain_text("Fault reported as ticket #")
            page.screenshot(path=str(SHOTS / "label-reported.png"), full_page=True)
    expect(page.locator(".error")).to_contain_text("reported several times")
    phone.close()
