"""A hospital's admin in Chromium chooses Hindi and WhatsApp for the engineer's assignment,
then reads in the message log the WhatsApp notice that went out in Hindi."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlmodel import select

from services.actor import Role, TenantKind, system_actor
from services.db import system_session, tenant_session
from services.identity.models import User
from services.notifications.channels import Message, tell_people
from services.notifications.preferences import choices_of
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in
from tests.notifications.test_channels import give_phone

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "notifications"  # beside the checkout, never committed


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_admin_chooses_hindi_on_whatsapp_and_sees_the_notice_in_the_log(
    page: Page, app_url: str
):
    email = demo_email(Role.BUYER_ADMIN)
    with system_session() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        has_phone = db.execute(
            text("SELECT phone IS NOT NULL FROM users WHERE id = :u"), {"u": user.id}
        ).scalar()
    if not has_phone:
        give_phone(user.id)

    sign_in(page, app_url, email)
    page.goto(f"{app_url}/profile/notifications")
    row = page.locator("#pref-table tr", has_text="Engineer assigned")
    expect(row).to_be_visible()
    page.locator("#pref-language").click()
    page.get_by_role("option", name="हिन्दी").click()
    whatsapp = row.get_by_role("checkbox").nth(1)
    if whatsapp.get_attribute("data-state") != "checked":
        whatsapp.click()
    page.click("#pref-save")
    expect(page.get_by_text("Saved: your next notices follow these choices.")).to_be_visible()
    _shot(page, "1-preferences")
    with tenant_session(system_actor(user.tenant_id, TenantKind.HOSPITAL_CHAIN, "test")) as db:
        language, channels = choices_of(db, user.id)
        assert language == "hi" and "whatsapp" in channels["ticket_assigned"]
        params = {"number": "4711", "engineer": "Ravi Kumar", "eta": None}
        sent = tell_people(
            db, user.tenant_id, [(user.id, "buyer_admin")], Message("ticket_assigned", params)
        )
    assert sent["whatsapp"] == 1

    page.goto(f"{app_url}/messages")
    line = page.locator("#message-log tr", has_text="टिकट #4711 के लिए इंजीनियर नियुक्त")
    expect(line).to_contain_text("WhatsApp")
    expect(line).to_contain_text("ticket_assigned")
    expect(line).to_contain_text("sent")  # no Cloud API here: recorded as sent
    _shot(page, "2-message-log")
