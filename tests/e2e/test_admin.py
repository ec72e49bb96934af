"""An organisation's admin in Chromium: invites a person and hands over the link, with
which the person sets a password and signs in; changes their role; disables them, which
signs them out at once; then filters the audit trail and downloads it as CSV."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.actor import Role
from services.common.clock import today_ist
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "admin"  # beside the checkout, never committed
NEW_PASSWORD = "a-long-new-passphrase"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _pick(page: Page, trigger, option: str) -> None:
    trigger.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_admin_invites_changes_a_role_disables_and_audits(page: Page, browser, app_url: str):
    email = f"asha.{uuid.uuid4().hex[:6]}@sanjeevani.test"
    sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
    page.goto(f"{app_url}/admin/users")
    expect(page.locator("#user-table")).to_contain_text(demo_email(Role.BUYER_ADMIN))
    page.fill("#invite-email", email)
    page.fill("#invite-name", "Asha Rao")
    invite_role = page.get_by_role("combobox").first
    expect(invite_role).to_have_text("Procurement")  # the least power first
    page.click("#invite")
    link = page.locator("#issued-link")
    expect(link).to_contain_text("/account/password/")
    row = page.locator("#user-table tr", has_text=email)
    expect(row).to_contain_text("invited")
    _shot(page, "1-invited")

    # The invited person opens the link in their own browser and sets a password.
    theirs = browser.new_context(viewport={"width": 390, "height": 800})
    person = theirs.new_page()
    person.goto(link.inner_text())
    expect(person.get_by_text(email)).to_be_visible()
    person.fill("#new-password", NEW_PASSWORD)
    person.fill("#confirm-password", NEW_PASSWORD)
    _shot(person, "2-set-password")
    person.click("#set-password")
    expect(person.locator("#password-set")).to_be_visible()
    sign_in(person, app_url, email, NEW_PASSWORD)
    expect(person.locator("#who-role")).to_contain_text("Procurement")

    # The admin makes them a procurement admin.
    page.reload()
    row = page.locator("#user-table tr", has_text=email)
    expect(row).to_contain_text("active")
    expect(row.get_by_role("combobox")).to_have_text("Procurement")
    _pick(page, row.get_by_role("combobox"), "Procurement admin")
    expect(page.get_by_text(f"{email} is now Procurement admin")).to_be_visible()
    expect(row.get_by_role("combobox")).to_have_text("Procurement admin")

    # ... then disables them, after confirming; their open page is signed out.
    row.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(email)
    _shot(page, "3-confirm-disable")
    page.click("#confirm-disable")
    expect(row).to_contain_text("disabled")
    expect(row.get_by_role("button", name="Enable")).to_be_visible()
    _shot(page, "4-disabled")
    person.goto(f"{app_url}/rfqs")
    person.wait_for_url("**/login**")
    theirs.close()

    # The audit trail: filtered to disabling, for today, then downloaded as CSV.
    page.goto(f"{app_url}/audit")
    expect(page.locator("#audit-showing")).to_contain_text("Entries 1–")
    _pick(page, page.locator("#audit-action"), "user.disable")
    today = today_ist().isoformat()
    page.fill("#audit-from", today)
    page.fill("#audit-to", today)
    table = page.locator("#audit-table")
    expect(table).to_contain_text("account disabled")
    expect(table.locator("tbody tr", has_text="user.disable").first).to_be_visible()
    expect(table).not_to_contain_text("user.invite")
    _shot(page, "5-audit-filtered")
    with page.expect_download() as download:
        page.click("#audit-export")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:5] == ["seq", "when_ist", "organisation", "who", "action"]
    assert rows[1:] and {r[4] for r in rows[1:]} == {"user.disable"}
    assert all(r[1].startswith(today) for r in rows[1:])


def test_a_used_invitation_link_says_so(page: Page, app_url: str):
    page.goto(f"{app_url}/account/password/{uuid.uuid4().hex}")
    expect(page.locator("#link-gone")).to_contain_text("Ask your organisation's admin")
