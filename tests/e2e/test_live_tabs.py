"""A dispatcher keeps many ops console tabs open: they share the process's one database
listener (no connection per tab), every tab still follows a change, and a signed-out
browser opening the console subscribes to nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in
from tests.platform.test_live_fanout import _app_backends

pytestmark = pytest.mark.e2e
TABS = 12


def test_many_console_tabs_hold_no_connection_of_their_own(browser, app_url: str):
    dispatcher = browser.new_context(viewport={"width": 1280, "height": 900})
    stranger = browser.new_context()
    api = browser.new_context()
    try:
        first = dispatcher.new_page()
        sign_in(first, app_url, demo_email(Role.DISPATCHER))
        first.goto(f"{app_url}/ops")
        expect(first.locator("#live-badge")).to_have_text("live", timeout=30_000)
        before = _app_backends()

        tabs = [first]
        for _ in range(TABS - 1):
            tab = dispatcher.new_page()
            tab.goto(f"{app_url}/ops")
            expect(tab.locator("#live-badge")).to_have_text("live", timeout=30_000)
            tabs.append(tab)
        anonymous = stranger.new_page()
        anonymous.goto(f"{app_url}/ops")
        anonymous.wait_for_url("**/login**")
        during = _app_backends()
        # Before the shared listener each of these tabs held a backend of its own.
        assert during - before <= 3, (before, during)

        buyer = _token(api, app_url, Role.BUYER_ADMIN)
        device = api.request.get(
            f"{app_url}/api/v1/devices", params={"q": "MVI-DR2"}, headers=buyer
        ).json()["devices"][0]["deviceId"]
        opened = api.request.post(
            f"{app_url}/api/v1/tickets",
            headers=buyer,
            data={
                "deviceId": device,
                "priority": "P3",
                "errorCode": "DR-COM-3",
                "description": "Detector drops frames",
            },
        )
        assert opened.status == 201, opened.text()
        number = opened.json()["number"]
        for tab in tabs:
            expect(tab.locator(f"#ticket-{number} .ticket-status")).to_have_text(
                "open", timeout=60_000
            )
            expect(tab.locator(f"#ticket-{number} [data-deadline]")).not_to_be_empty()
    finally:
        for context in (dispatcher, stranger, api):
            context.close()
