"""A hospital admin follows a ticket on /service from opening to confirming the fix, and
reads the contract that covers the device on /contracts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "service"
WORK = ("acknowledged", "assigned", "en_route", "on_site", "in_progress", "resolved")


def _open_ticket(api, app_url: str) -> tuple[str, int]:
    buyer = _token(api, app_url, Role.BUYER_ADMIN)
    devices = api.request.get(
        f"{app_url}/api/v1/devices", params={"q": "MVI-US9"}, headers=buyer
    ).json()["devices"]
    opened = api.request.post(
        f"{app_url}/api/v1/tickets",
        headers=buyer,
        data={
            "deviceId": devices[0]["deviceId"],
            "priority": "P2",
            "description": "Convex probe image freezes every few minutes",
            "source": "portal",
        },
    ).json()
    return opened["ticketId"], opened["number"]


def test_a_hospital_admin_follows_a_ticket_to_its_confirmed_fix(browser, app_url: str):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    api = browser.new_context()
    try:
        ticket_id, number = _open_ticket(api, app_url)
        page = ctx.new_page()
        sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
        page.goto(f"{app_url}/service")
        row = page.locator(f"#ticket-{number}")
        expect(row.locator(".ticket-status")).to_have_text("open")
        expect(page.locator("#desk-devices")).to_contain_text("%")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "service-buyer.png"), full_page=True)

        page.click(f"#open-{number}")
        page.fill("#comment-box", "The probe is in Radiology, room 4")
        page.click("#send-comment")
        expect(page.get_by_text("The probe is in Radiology, room 4")).to_be_visible()
        page.keyboard.press("Escape")

        dispatcher = _token(api, app_url, Role.DISPATCHER)
        for status in WORK:
            moved = api.request.patch(
                f"{app_url}/api/v1/tickets/{ticket_id}/status",
                headers=dispatcher,
                data={"status": status},
            )
            assert moved.status == 204, moved.text()
        page.reload()
        expect(row.locator(".ticket-status")).to_have_text("resolved")
        page.click(f"#open-{number}")
        expect(page.locator("#confirm-fix")).to_be_visible()
        page.screenshot(path=str(SHOTS / "service-ticket.png"))
        page.click("#confirm-fix")
        expect(page.locator("#panel-status")).to_have_text("closed")
        page.keyboard.press("Escape")
        expect(row.locator(".ticket-status")).to_have_text("closed")

        page.goto(f"{app_url}/contracts")
        expect(page.locator("#contracts")).to_contain_text("CMC")
        page.screenshot(path=str(SHOTS / "contracts-buyer.png"), full_page=True)
        page.locator("#contracts button").first.click()
        expect(page.locator("#contract-devices")).to_contain_text("%")
        page.screenshot(path=str(SHOTS / "contract-detail-buyer.png"))
    finally:
        ctx.close()
        api.close()
