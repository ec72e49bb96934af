"""A lab admin's screens: an analyzer nobody set up writes, its messages wait in the
console's error queue; the admin sets up its channel from there, the messages are
processed and their results appear on the console; one message is read field by field;
the laboratory's working hours and a patient's consent are set on the settings page."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from services.db import tenant_session
from services.geo.models import Laboratory
from services.lab.models import LabChannel
from tests.e2e.test_roles import sign_in
from tests.factories import PASSWORD
from tests.lab.console_lab import make_lab
from tests.lab.fixtures import process_all
from tests.lab.messages import msa, oru, send

pytestmark = pytest.mark.e2e
SHOTS = __import__("pathlib").Path(__file__).resolve().parents[2] / "var" / "shots"


def _lab_with_laboratory():
    """A lab organisation with a laboratory, an analyzer in its registry and a channel."""
    lab = make_lab()
    with tenant_session(lab.org.actor) as db:
        laboratory = Laboratory(
            tenant_id=lab.org.tenant.id, name="Banjara Hills Lab", pincode="500001"
        )
        db.add(laboratory)
        db.flush()
        db.get(LabChannel, lab.channel_id).laboratory_id = laboratory.id
    return lab


def test_an_unknown_analyzer_is_set_up_from_the_error_queue_and_its_results_show(
    browser, app_url: str
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    lab = _lab_with_laboratory()
    stranger = f"NEW{uuid.uuid4().hex[:6].upper()}"
    control = f"C{uuid.uuid4().hex[:8]}"
    [ack] = send(oru(control, stranger, hgb="14.1"))
    assert msa(ack)[0] == "AR"

    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        console = context.new_page()
        sign_in(console, app_url, lab.org.email, PASSWORD)
        console.goto(f"{app_url}/lab")
        expect(console.locator("#live-badge")).to_have_text("live")
        sender = console.locator(".unknown-sender", has_text=stranger)
        expect(sender).to_contain_text("ORU^R01")
        expect(sender).to_contain_text(control)
        console.screenshot(path=str(SHOTS / "lab-unknown-sender.png"), full_page=True)

        sender.get_by_role("button", name="Set up channel").click()
        expect(console.locator("#adopt-name")).to_have_value(f"{stranger} analyzer")
        console.fill("#adopt-name", "Haematology 2")
        console.get_by_role("combobox").filter(has_text="Pick the analyzer").click()
        console.get_by_role("option").first.click()
        console.screenshot(path=str(SHOTS / "lab-adopt-dialog.png"))
        console.click("#adopt-confirm")
        expect(console.get_by_text("1 waiting message(s) sent for processing")).to_be_visible()
        expect(console.locator(".unknown-sender", has_text=stranger)).to_have_count(0)

        process_all()
        row = console.locator(".lab-result", has_text="Haematology 2")
        expect(row).to_have_count(10)
        expect(row.filter(has_text="14.1")).to_have_count(1)

        console.goto(f"{app_url}/lab/messages")
        console.locator("#filter-state").click()
        console.get_by_role("option", name="processed").click()
        console.fill("#filter-control", control)
        console.click("#filter-apply")
        listed = console.locator(".message-row")
        expect(listed).to_have_count(1)
        expect(listed).to_contain_text("processed")
        expect(listed).to_contain_text("AR")
        console.screenshot(path=str(SHOTS / "lab-messages.png"))
        listed.get_by_role("link", name=control).click()
        console.wait_for_url(f"{app_url}/lab/messages/*")
        facts = console.locator("#message-facts")
        expect(facts).to_contain_text("processed")
        expect(facts).to_contain_text("Haematology 2")
        obx5 = console.locator(".field-row", has_text="OBX-5")
        expect(obx5.first).to_contain_text("Observation value")
        expect(console.locator(".field-row", has_text="MSH-10")).to_contain_text(
            "Message control id"
        )
        expect(console.locator(".segment-row", has_text="OBX #10")).to_have_count(1)
        console.screenshot(path=str(SHOTS / "lab-message-view.png"), full_page=True)
        console.click("#reprocess")
        expect(console.get_by_text("Sent for processing again")).to_be_visible()
    finally:
        context.close()


def test_the_lab_sets_its_working_hours_and_records_and_revokes_a_consent(browser, app_url: str):
    lab = _lab_with_laboratory()
    patient = f"MRN{uuid.uuid4().hex[:6]}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, app_url, lab.org.email, PASSWORD)
        page.goto(f"{app_url}/lab/settings")
        hours = page.locator(".laboratory-hours", has_text="Banjara Hills Lab")
        expect(hours).to_contain_text("08:00–20:00 IST")
        hours.get_by_role("button", name="Edit").click()
        page.fill("#e-opens", "07:00")
        page.get_by_role("checkbox", name="Sun").click()
        page.click("#e-save")
        expect(hours).to_contain_text("07:00–20:00 IST, every day")
        watch = page.locator(f"#watch-{lab.channel_id}")
        expect(watch).to_contain_text("07:00–20:00")
        expect(watch).to_contain_text("lab's hours")
        watch.get_by_role("button", name="Edit").click()
        page.fill("#e-silent", "45")
        page.click("#e-own")
        page.fill("#e-opens", "09:00")
        page.screenshot(path=str(SHOTS / "lab-watch-dialog.png"))
        page.click("#e-save")
        expect(watch).to_contain_text("45 min")
        expect(watch).to_contain_text("own hours")
        expect(watch).to_contain_text("09:00–20:00")

        page.fill("#c-patient", patient)
        page.click("#c-find")
        expect(page.get_by_text("No consent recorded for this patient")).to_be_visible()
        page.fill("#c-recipient", "Apollo Hospitals")
        page.fill("#c-version", "v2")
        page.click("#c-record")
        consent = page.locator(".consent-row")
        expect(consent).to_contain_text("in force")
        expect(consent).to_contain_text("Apollo Hospitals")
        page.screenshot(path=str(SHOTS / "lab-settings.png"), full_page=True)
        consent.get_by_role("button", name="Revoke").click()
        page.click("#revoke-confirm")
        expect(consent).to_contain_text("revoked")
    finally:
        context.close()
