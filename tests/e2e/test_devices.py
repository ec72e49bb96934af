"""Device journeys in Chromium: an OEM imports a file and prints its kit; a hospital
registers one device and finds it in the registry."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.actor import Role
from services.seed.demo import demo_email
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
