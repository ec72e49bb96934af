"""The home page says what to do next. A buyer's lists the quote that came in, as a link to
its RFQ, and the bell counts a new counter-offer while the page is open, which the lists
show once the page is opened again; a dispatcher's bell counts a new P1 without a reload,
the lists show it as urgent and waiting for a technician, and it opens from its link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_negotiation import _negotiating_rfq
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in
from tests.workers import celery_running

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "notify"  # beside the checkout, never committed


@pytest.fixture
def workers(tmp_path: Path):
    with celery_running(tmp_path):
        yield


def _unread(page) -> int:
    badge = page.locator("#bell span.rt-Badge")
    return int(badge.inner_text()) if badge.count() else 0


def test_the_buyers_home_lists_a_quote_to_answer_and_the_bell_counts_a_counter(
    browser, app_url: str, workers
):
    buyer_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    api = browser.new_context()
    try:
        rfq_id, oem_id = _negotiating_rfq(api, app_url)
        page = buyer_ctx.new_page()
        sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
        quotes = page.locator("#waiting-quotes")
        link = quotes.locator(f"a[href='/rfqs/{rfq_id}']")
        expect(link).to_be_visible(timeout=30_000)
        expect(link).to_contain_text("before GST: compare, counter or award")
        expect(page.locator("#figures a.figure-link").first).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "buyer-home.png"), full_page=True)

        # The quote's notice reaches the bell (a worker relays it), then a counter-offer
        # made elsewhere raises the count on the open page.
        expect(page.locator("#bell span.rt-Badge")).to_be_visible(timeout=30_000)
        page.evaluate("window.__sameDocument = true")
        before = _unread(page)
        oem = _token(api, app_url, Role.OEM_ADMIN)
        countered = api.request.post(
            f"{app_url}/api/v1/rfqs/{rfq_id}/negotiation/counters",
            headers=oem,
            data={"offer": {"lines": [{"item": "MVI-PM12", "unitPricePaise": 3_70_000_00}]}},
        )
        assert countered.status == 201, countered.text()
        page.wait_for_function(
            f"Number(document.querySelector('#bell span.rt-Badge')?.innerText || 0) > {before}",
            timeout=30_000,
        )
        assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
        room = f"/negotiation/{rfq_id}/{oem_id}"
        page.reload()  # the lists are read when the page opens
        expect(page.locator(f"#waiting-buyer-counters a[href='{room}']")).to_be_visible(
            timeout=30_000
        )

        page.locator("#bell button").click()
        notice = page.locator(f".notice[href='{room}']").first
        expect(notice).to_contain_text("Counter-offer on RFQ-")
        page.screenshot(path=str(SHOTS / "buyer-bell.png"))
        notice.click()
        expect(page).to_have_url(f"{app_url}{room}", timeout=30_000)
        # Opening it marks it read (other notices may still be arriving from the relay).
        buyer = _token(api, app_url, Role.BUYER_ADMIN)
        for _ in range(60):
            unread = api.request.get(
                f"{app_url}/api/v1/me/notifications",
                params={"unread": "true", "limit": 50},
                headers=buyer,
            ).json()["items"]
            if not [n for n in unread if n["link"] == room]:
                break
            page.wait_for_timeout(500)
        else:
            pytest.fail("the opened notice is still unread")

        page.goto(f"{app_url}/")
        link = page.locator(f"#waiting-quotes a[href='/rfqs/{rfq_id}']")
        link.click()
        expect(page).to_have_url(f"{app_url}/rfqs/{rfq_id}", timeout=30_000)
    finally:
        buyer_ctx.close()
        api.close()


def test_the_dispatchers_home_takes_in_a_new_p1_without_a_reload(browser, app_url: str, workers):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    api = browser.new_context()
    try:
        page = ctx.new_page()
        sign_in(page, app_url, demo_email(Role.DISPATCHER))
        expect(page.locator("#waiting-urgent")).to_be_visible(timeout=30_000)
        expect(page.locator("#waiting-unassigned")).to_be_visible()
        page.evaluate("window.__sameDocument = true")
        before = _unread(page)

        buyer = _token(api, app_url, Role.BUYER_ADMIN)
        devices = api.request.get(
            f"{app_url}/api/v1/devices", params={"q": "MVI-DR2"}, headers=buyer
        ).json()["devices"]
        opened = api.request.post(
            f"{app_url}/api/v1/tickets",
            headers=buyer,
            data={
                "deviceId": devices[0]["deviceId"],
                "priority": "P1",
                "errorCode": "DR-PWR-1",
                "description": "Detector dead after a power cut; emergency cases waiting",
            },
        )
        assert opened.status == 201, opened.text()
        ticket = f"/tickets/{opened.json()['ticketId']}"
        page.wait_for_function(  # the bell counts the new P1 on the open page
            f"Number(document.querySelector('#bell span.rt-Badge')?.innerText || 0) > {before}",
            timeout=45_000,
        )
        assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
        page.reload()  # the lists are read when the page opens
        urgent = page.locator(f"#waiting-urgent a[href='{ticket}']")
        expect(urgent).to_be_visible(timeout=30_000)
        expect(urgent).to_contain_text(re.compile(r"#\d+ P1"))
        expect(page.locator(f"#waiting-unassigned a[href='{ticket}']")).to_be_visible()
        page.screenshot(path=str(SHOTS / "dispatcher-home.png"), full_page=True)

        page.locator("#bell button").click()
        notice = page.locator(f".notice[href='{ticket}']").first
        expect(notice).to_contain_text("New P1 ticket #")
        page.screenshot(path=str(SHOTS / "dispatcher-bell.png"))
        page.keyboard.press("Escape")
        urgent.click()
        expect(page).to_have_url(f"{app_url}{ticket}", timeout=30_000)
    finally:
        ctx.close()
        api.close()
