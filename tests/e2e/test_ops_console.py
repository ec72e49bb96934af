"""The dispatcher's board follows changes made elsewhere, without a reload. How fast is a
benchmark figure (`make bench`, bench/live.py), never asserted here: a busy machine is slow."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e


def _token(context, app_url: str, role: Role) -> dict:
    response = context.request.post(
        f"{app_url}/api/v1/auth/token",
        form={"username": demo_email(role), "password": "yantra-demo"},
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_api_changes_reach_the_board_without_a_reload(browser, app_url: str):
    dispatcher_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    api_ctx = browser.new_context()
    try:
        board = dispatcher_ctx.new_page()
        sign_in(board, app_url, demo_email(Role.DISPATCHER))
        board.goto(f"{app_url}/ops")
        expect(board.locator("#live-badge")).to_have_text("live", timeout=30_000)
        board.evaluate("window.__sameDocument = true")  # gone if the page reloads

        buyer = _token(api_ctx, app_url, Role.BUYER_ADMIN)
        devices = api_ctx.request.get(
            f"{app_url}/api/v1/devices", params={"q": "MVI-DR2"}, headers=buyer
        ).json()["devices"]
        opened = api_ctx.request.post(
            f"{app_url}/api/v1/tickets",
            headers=buyer,
            data={
                "deviceId": devices[0]["deviceId"],
                "priority": "P2",
                "errorCode": "DR-COM-3",
                "description": "Detector lost connection to the console",
            },
        )
        assert opened.status == 201, opened.text()
        number = opened.json()["number"]
        board.wait_for_function(
            f"document.getElementById('ticket-{number}') !== null", timeout=30_000
        )
        row = board.locator(f"#ticket-{number}")
        expect(row.locator(".ticket-status")).to_have_text("open")

        dispatcher = _token(api_ctx, app_url, Role.DISPATCHER)
        moved = api_ctx.request.patch(
            f"{app_url}/api/v1/tickets/{opened.json()['ticketId']}/status",
            headers=dispatcher,
            data={"status": "acknowledged"},
        )
        assert moved.status == 204
        expect(row.locator(".ticket-status")).to_have_text("acknowledged", timeout=30_000)
        assert board.evaluate("window.__sameDocument === true"), (
            "the board reloaded instead of following the change"
        )
    finally:
        dispatcher_ctx.close()
        api_ctx.close()


def test_sla_clocks_tick(page, app_url: str):
    sign_in(page, app_url, demo_email(Role.DISPATCHER))
    page.goto(f"{app_url}/ops")
    first = page.locator("#ticket-board tbody tr").first.locator("td").nth(3)
    before = first.inner_text()
    expect(first).not_to_have_text(before, timeout=30_000)


def test_technician_scans_a_label_and_opens_a_ticket(page, app_url: str):
    tech = _token(page.context, app_url, Role.TECHNICIAN)
    device = page.context.request.get(
        f"{app_url}/api/v1/devices", params={"q": "MVI-PM12-25"}, headers=tech
    ).json()["devices"][0]
    label = page.context.request.get(
        f"{app_url}/api/v1/devices/{device['deviceId']}", headers=tech
    ).json()["qr"]["payload"]
    sign_in(page, app_url, demo_email(Role.TECHNICIAN))
    page.goto(f"{app_url}/report")
    page.fill("#label-payload", label[:-3])
    page.click("#read-label")
    expect(page.locator("#report-error")).to_contain_text("truncated")
    page.fill("#label-payload", label)
    page.click("#read-label")
    expect(page.locator("#report-device")).to_contain_text(device["serialNumber"])
    expect(page.locator("#report-device")).to_contain_text("Sanjeevani Heart Centre, Parel")
    page.fill("#fault-description", "Display flickers and resets during monitoring")
    page.click("#open-ticket")
    page.wait_for_url(f"{app_url}/tickets/**")
    expect(page.locator("#ticket-status")).to_have_text("open")
    expect(page.locator("#ticket-timeline")).to_contain_text("via qr_scan")


def test_report_from_a_device_page_link(page, app_url: str):
    buyer = _token(page.context, app_url, Role.BUYER_USER)
    device = page.context.request.get(
        f"{app_url}/api/v1/devices", params={"q": "MVI-DR2"}, headers=buyer
    ).json()["devices"][0]
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.goto(f"{app_url}/report?device={device['deviceId']}")
    expect(page.locator("#report-device")).to_contain_text(device["serialNumber"])
