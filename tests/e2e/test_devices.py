"""Device journeys in Chromium: an OEM imports a file and prints its kit; a hospital
registers one device and finds it in the registry, finds a device by its label's code
typed by hand, and prints one label from a part-used sheet, confirming it stuck on."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.actor import Role
from services.qr.codes import short_code
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in
from tests.workers import celery_running

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    with celery_running(tmp_path_factory.mktemp("celery")):
        yield


def test_oem_imports_a_csv_watches_progress_and_downloads_the_kit(
    page: Page, app_url: str, workers, tmp_path: Path
):
    prefix = f"E2E{uuid.uuid4().hex[:6].upper()}"
    lines = ["serialNumber,skuCode,installationDate"]
    lines += [f"{prefix}-{n:03d},MVI-PM12,2025-05-0{1 + n % 9}" for n in range(60)]
    lines += [f"{prefix}-BAD,NO-SUCH-SKU,2025-05-01"]
    csv_file = tmp_path / "erp-export.csv"
    csv_file.write_text("\n".join(lines) + "\n")

    sign_in(page, app_url, demo_email(Role.OEM_ADMIN))
    page.goto(f"{app_url}/devices/import")
    page.locator("#device-file input[type=file]").set_input_files(str(csv_file))
    page.click("#import-submit")
    expect(page.locator("#batch-progress")).to_be_visible()
    expect(page.locator("#batch-status")).to_have_text("completed", timeout=120_000)
    expect(page.locator("#batch-counts")).to_contain_text("60 registered · 1 rejected")
    expect(page.locator("#error-table")).to_contain_text("unknown SKU NO-SUCH-SKU")
    href = page.locator("#kit-link").get_attribute("href")
    kit = page.request.get(f"{app_url}{href}")
    assert kit.ok and kit.body()[:5] == b"%PDF-"
    errors = page.request.get(f"{app_url}{page.locator('#errors-link').get_attribute('href')}")
    assert f"{prefix}-BAD" in errors.text()


def test_hospital_registers_a_device_and_sees_it_in_the_registry(page: Page, app_url: str):
    serial = f"E2E-{uuid.uuid4().hex[:8].upper()}"
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.goto(f"{app_url}/devices/register")
    page.fill("#serial", serial)
    page.fill("#sku-search", "Clarus 9")
    page.locator("#sku-matches button", has_text="MVI-US9").first.click()
    expect(page.locator("#picked-sku")).to_contain_text("MVI-US9")
    page.fill("#facility-search", "560034")
    page.locator("#facility-matches button").first.click()
    expect(page.locator("#picked-facility")).to_contain_text("Koramangala")
    page.fill("#installation-date", "2025-09-21")
    page.click("#register-submit")
    expect(page.locator("#register-done")).to_contain_text(serial)
    expect(page.locator("#done-qr")).to_be_visible()

    page.goto(f"{app_url}/devices")
    page.fill("#device-search", serial)
    page.keyboard.press("Enter")
    table = page.locator("#device-table")
    expect(table).to_contain_text(serial)
    table.get_by_role("link", name=serial).click()
    expect(page.locator("#device-serial")).to_have_text(serial)
    expect(page.locator("#device-qr")).to_be_visible()


def test_registration_form_explains_bad_input(page: Page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
    page.goto(f"{app_url}/devices/register")
    page.fill("#serial", "no spaces allowed")
    page.click("#register-submit")
    expect(page.get_by_text("pick the facility")).to_be_visible()


SHOTS = ROOT / "var" / "shots" / "labels"  # beside the checkout, never committed


def _registered(page: Page, app_url: str, serial: str) -> dict:
    """A device of the demo hospital chain registered through the API, with its label."""
    headers = _token(page.context, app_url, Role.BUYER_ADMIN)
    sites = page.request.get(f"{app_url}/api/v1/facilities", headers=headers).json()
    response = page.request.post(
        f"{app_url}/api/v1/devices/register",
        headers=headers,
        data={
            "serialNumber": serial,
            "skuCode": "MVI-PM12",
            "facilityId": sites["facilities"][0]["id"],
        },
    )
    assert response.ok, response.text()
    return response.json()


def test_a_label_code_typed_by_hand_opens_its_device(page: Page, app_url: str):
    serial = f"MVI-AW374L-26-{uuid.uuid4().int % 10**9:09d}"
    device = _registered(page, app_url, serial)
    code = short_code(uuid.UUID(device["qrId"]).bytes)
    sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
    page.goto(f"{app_url}/devices")
    typed = code.replace("-", "").lower().replace("0", "o").replace("1", "i")
    page.fill("#device-search", typed)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{app_url}/devices/{device['deviceId']}", timeout=30_000)
    expect(page.locator("#device-serial")).to_have_text(serial)
    expect(page.locator("#device-code")).to_have_text(code)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "device-by-code.png"), full_page=True)


def test_the_device_page_prints_from_label_n_and_waits_for_stuck_on(
    page: Page, app_url: str, tmp_path: Path
):
    serial = f"MVI-AW374L-26-{uuid.uuid4().int % 10**9:09d}"
    device = _registered(page, app_url, serial)
    sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
    page.goto(f"{app_url}/devices/{device['deviceId']}")
    expect(page.locator("#device-serial")).to_have_text(serial)
    page.click("#print-label")
    page.click("#label-pos-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "print-dialog-start-at-8.png"))
    with page.expect_download() as download:
        page.click("#print-go")
    pdf = tmp_path / "label.pdf"
    download.value.save_as(pdf)
    words = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert serial in "".join(words.split()), "the whole serial is on the label"
    assert "starts at label 8" in words
    assert "Installation checklist" not in words, "one label, no cover page"

    expect(page.locator("#print-pending")).to_be_visible()
    expect(page.locator("#device-status")).to_have_text("registered")
    page.screenshot(path=str(SHOTS / "printed-waiting-for-stuck-on.png"), full_page=True)
    page.click("#labels-stuck")
    expect(page.locator("#device-status")).to_have_text("qr printed")
    expect(page.locator("#print-pending")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "labels-stuck-on.png"), full_page=True)
