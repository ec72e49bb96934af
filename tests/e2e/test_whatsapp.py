"""The dispatcher reads the demo nurse's WhatsApp thread beside its ticket and answers it
from the platform; the nurse keeps her WhatsApp number on her profile."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "whatsapp"  # beside the checkout, never committed


def test_the_desk_answers_a_whatsapp_thread_and_the_nurse_keeps_her_number(browser, app_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk = browser.new_context(viewport={"width": 1280, "height": 860})
    nurse = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        page = desk.new_page()
        sign_in(page, app_url, demo_email(Role.DISPATCHER))
        page.goto(f"{app_url}/conversations")
        thread = page.locator(".wa-thread").filter(has_text="+91 98100 00102")
        expect(thread).to_be_visible()
        expect(thread).to_contain_text("Vitalis 12 Patient Monitor")
        thread.click()
        expect(page.locator(".wa-message").first).to_contain_text("preventive maintenance")
        page.fill("#wa-reply", "Namaste Neha ji, the PM visit is set for Thursday 11 am.")
        page.click("#wa-send")
        mine = page.locator(".wa-message").filter(has_text="PM visit is set for Thursday")
        expect(mine).to_be_visible()
        expect(mine.locator(".wa-status")).to_have_text("sent")
        expect(thread).to_contain_text("desk replying")
        page.screenshot(path=str(SHOTS / "dispatcher-conversations.png"), full_page=True)

        phone = nurse.new_page()
        sign_in(phone, app_url, demo_email(Role.BUYER_USER))
        phone.goto(f"{app_url}/profile")
        expect(phone.locator("#profile-phone-saved")).to_contain_text("+919810000102")
        phone.fill("#profile-phone", "12345")
        phone.click("#profile-phone-save")
        expect(
            phone.get_by_text("must be an Indian mobile number").or_(
                phone.get_by_text("must have 8 to 15 digits")
            )
        ).to_be_visible()
        phone.fill("#profile-phone", "098100 00102")
        phone.click("#profile-phone-save")
        expect(phone.get_by_text("WhatsApp number saved: +919810000102")).to_be_visible()
        phone.screenshot(path=str(SHOTS / "nurse-profile.png"), full_page=True)
    finally:
        desk.close()
        nurse.close()
