"""Fleet health in Chromium: the OEM's service manager finds the wearing-out demo MRI at
the top of /fleet with its preemptive ticket, and opens its telemetry charts; the hospital
sees its own devices the same way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from services.actor import Role
from services.seed.demo import demo_email
from services.telemetry.demo import seed_demo_telemetry
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots"
MRI = "MVI-MR15-24-000117"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_service_manager_sees_the_mri_at_risk_first_and_its_charts(page: Page, app_url: str):
    seed_demo_telemetry()

    sign_in(page, app_url, demo_email(Role.OEM_SERVICE_MANAGER))
    page.goto(f"{app_url}/fleet")
    first = page.locator("#fleet-devices tbody tr").first
    expect(first).to_contain_text(MRI)
    expect(first).to_contain_text("High")
    expect(first).to_contain_text(re.compile("#|Opened"))  # its preemptive ticket
    expect(page.locator("#fleet-map")).to_be_visible()
    _shot(page, "fleet-service-manager")

    first.get_by_role("link", name=MRI).click()
    expect(page.locator("#device-risk")).to_contain_text("chance of failing within 30 days")
    expect(page.locator("#device-telemetry .js-plotly-plot")).to_be_visible()
    _shot(page, "device-telemetry-service-manager")

    page.context.clear_cookies()
    sign_in(page, app_url, demo_email(Role.BUYER_ADMIN))
    page.goto(f"{app_url}/fleet")
    expect(page.get_by_text("Your devices' health")).to_be_visible()
    expect(page.locator("#fleet-devices")).to_contain_text(MRI)
    _shot(page, "fleet-hospital")
