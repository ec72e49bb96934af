"""Each role signs in through Chromium, sees its own menu and numbers, and is refused
the pages of other roles."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from services.actor import Role
from services.db import system_session
from services.seed.demo import demo_email
from state.navigation import PAGES, pages_for

pytestmark = pytest.mark.e2e


def sign_in(page: Page, base: str, email: str, password: str = "yantra-demo") -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_sees_its_menu_its_numbers_and_403_elsewhere(page: Page, app_url: str, role: Role):
    sign_in(page, app_url, demo_email(role))
    expected = [p.label for p in pages_for(frozenset({role}))]
    menu = page.locator("#main-menu a").filter(has=page.locator("p, span"))
    expect(menu).to_have_text(expected)
    figures = page.locator("#figures > div")
    expect(figures.first).to_be_visible()
    assert figures.count() >= 3
    expect(page.locator("#who-role")).not_to_have_text("")

    other = next(p for p in PAGES if role not in p.roles)
    page.goto(f"{app_url}{other.route}")
    expect(page.locator("#forbidden")).to_contain_text("403")


def test_signed_out_visitor_is_sent_to_sign_in(page: Page, app_url: str):
    page.goto(f"{app_url}/catalog")
    page.wait_for_url(re.compile(r".*/login.*"))
    expect(page.locator("#sign-in")).to_be_visible()


def test_wrong_password_is_refused_with_a_message(page: Page, app_url: str):
    page.goto(f"{app_url}/login")
    page.fill("#email", demo_email(Role.DISPATCHER))
    page.fill("#password", "not-the-password")
    page.click("#sign-in")
    expect(page.locator("#login-error")).to_contain_text("Wrong e-mail or password")
    assert re.search(r"/login/?$", page.url)


def test_sign_out_ends_the_session(page: Page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.click("#sign-out")
    page.wait_for_url(re.compile(r".*/login.*"))
    page.goto(f"{app_url}/catalog")
    page.wait_for_url(re.compile(r".*/login.*"))


def test_idle_session_expires(page: Page, app_url: str):
    sign_in(page, app_url, demo_email(Role.LAB_STAFF))
    with system_session() as db:
        db.execute(
            text(
                "UPDATE user_session SET last_seen_at = now() - interval '2 hours' "
                "WHERE user_id = (SELECT id FROM users WHERE email = :e)"
            ),
            {"e": demo_email(Role.LAB_STAFF)},
        )
    page.goto(f"{app_url}/facilities")
    page.wait_for_url(re.compile(r".*/login.*"))


def test_catalog_shows_rupee_prices(page: Page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
    page.goto(f"{app_url}/catalog")
    page.fill("#catalog-q", "Aurora 1.5T")
    card = page.locator("#catalog-results .rt-Card").first
    expect(card).to_contain_text("Aurora 1.5T MRI System")
    expect(card).to_contain_text("₹6,50,00,000.00")


def test_pincode_lookup_answers_and_explains_bad_input(page: Page, app_url: str):
    sign_in(page, app_url, demo_email(Role.DISPATCHER))
    page.goto(f"{app_url}/pincodes")
    page.fill("#pincode-input", "110001")
    page.click("#pincode-submit")
    expect(page.locator("#pincode-result")).to_contain_text("New Delhi")
    page.fill("#pincode-input", "abc")
    page.click("#pincode-submit")
    expect(page.locator("#pincode-error")).to_contain_text("six digits")


def test_technician_menu_works_at_phone_width(browser, app_url: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, app_url, demo_email(Role.TECHNICIAN))
        page.click("#menu-button")
        drawer_menu = page.get_by_role("dialog").locator("a", has_text="Pincode lookup")
        expect(drawer_menu).to_be_visible()
        drawer_menu.click()
        page.wait_for_url(f"{app_url}/pincodes")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways at 360 px ({width} px wide)"
    finally:
        context.close()
