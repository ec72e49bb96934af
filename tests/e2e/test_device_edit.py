"""A hospital's admin edits a device on its page: a mistake is shown under the field it
concerns (the same checks as registration), and a good edit moves the device to another
of the hospital's sites with its new serial, audited."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in
from tests.factories import PASSWORD, make_org, make_served_device

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "devices"  # beside the checkout, never committed


def test_the_owner_edits_a_device_with_errors_shown_by_field(page, app_url: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device = make_served_device(hospital, None, "MVI-CT128")
    make_served_device(hospital, None, "MVI-CT128", pincode="560001")  # a second site
    sign_in(page, app_url, hospital.email, PASSWORD)
    page.goto(f"{app_url}/devices/{device.device_id}")

    page.click("#device-edit")
    page.fill("#edit-serialNumber", "??bad serial")
    page.click("#device-edit-save")
    expect(page.locator("#edit-error-serialNumber")).to_contain_text("letters, digits")
    page.screenshot(path=str(SHOTS / "edit-1-serial-refused.png"))

    page.fill("#edit-serialNumber", "CT-EDITED-0042")
    page.fill("#edit-amcStart", "2026-06-01")
    page.fill("#edit-amcEnd", "2026-01-01")
    page.click("#device-edit-save")
    expect(page.locator("#edit-error-amcEnd")).to_contain_text("before the AMC start")
    expect(page.locator("#edit-error-serialNumber")).to_have_count(0)

    page.fill("#edit-amcEnd", "2027-05-31")
    page.click("#edit-amcStatus")
    page.get_by_role("option", name="AMC").click()
    page.click("#edit-facilityId")
    page.get_by_role("option", name="Test site 560001").click()
    page.click("#device-edit-save")
    expect(page.get_by_text("Device details saved")).to_be_visible()
    # the device's details (the closing dialog may still hold its own copy for a moment)
    expect(page.locator("dl").get_by_text("Test site 560001", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="moved from Test site 110029")).to_be_visible()
    page.screenshot(path=str(SHOTS / "edit-2-saved.png"), full_page=True)

    with system_session() as db:
        audited = db.execute(
            text("SELECT action, summary FROM audit_log WHERE entity_id = :d ORDER BY seq"),
            {"d": str(device.device_id)},
        ).all()
        serial = db.execute(
            text("SELECT serial_number FROM equipment WHERE id = :d"), {"d": device.device_id}
        ).scalar_one()
    assert serial == "CT-EDITED-0042"
    changes = {a.action: a.summary for a in audited}
    assert "serial" in changes["device.update"] and "device.transfer" in changes, audited
