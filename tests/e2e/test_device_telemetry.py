"""The device page's telemetry connection in Chromium: the OEM's service manager issues a
credential (shown once), the device connects with it and a bad payload is listed with its
reason; after a revoke the broker refuses the same credential. On /fleet the service
manager raises an alarm limit and sees the new numbers beside the defaults."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_roles import sign_in
from tests.factories import make_org, make_served_device
from tests.telemetry.brokers import Broker, Device, Ingest, wait_until

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def broker():
    running = Broker("embedded")
    ingest = Ingest(running, f"yantra-ingest-e2e-{uuid.uuid4().hex[:6]}")
    ingest.start()
    yield running
    ingest.stop()
    running.stop()


def _refused(device_id) -> int:
    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM telemetry_quarantine WHERE device_id = :d"),
            {"d": device_id},
        ).scalar_one()


def test_a_credential_is_shown_once_works_and_stops_working_when_revoked(
    page: Page, app_url: str, broker
):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device_id = make_served_device(hospital, None, "MVI-MR15").device_id
    sign_in(page, app_url, demo_email(Role.OEM_SERVICE_MANAGER))
    page.goto(f"{app_url}/devices/{device_id}")

    expect(page.locator("#credential-table, #device-connection")).not_to_have_count(0)
    page.locator("#issue-credential").click()
    dialog = page.locator("#issued-credential")
    expect(dialog).to_contain_text("shown this once")
    username = page.locator("#issued-username").inner_text()
    password = page.locator("#issued-password").inner_text()
    topic = page.locator("#issued-topic").inner_text()
    assert topic == f"tenants/{hospital.tenant.id}/devices/{device_id}/telemetry"
    expect(page.locator("#issued-mqttUrl")).to_contain_text("mqtt")
    _shot(page, "device-credential-issued")
    page.locator("#close-credential").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text(password)).to_have_count(0)  # never shown again
    expect(page.locator("#credential-table")).to_contain_text(username)
    expect(page.locator("#credential-table")).to_contain_text("live")

    gateway = Device(broker, username, password, f"gw-{uuid.uuid4().hex[:6]}")
    assert gateway.connected
    gateway.send(topic, b"<b>not json</b>").wait_for_publish(10)
    wait_until(lambda: _refused(device_id) == 1, 30, "the bad payload in quarantine")
    gateway.close()
    page.reload()
    expect(page.locator("#refusal-kinds")).to_contain_text("not JSON: 1")
    expect(page.locator("#refusal-table")).to_contain_text("<b>not json</b>")  # as text
    expect(page.locator("#credential-table")).not_to_contain_text("not yet")  # last used
    _shot(page, "device-refused-payloads")

    page.locator("#revoke-credential").click()
    page.locator("#confirm-Revoke").click()
    expect(page.locator("#credential-table")).to_contain_text("revoked")
    expect(page.locator("#issue-credential")).to_be_visible()
    refused = Device(broker, username, password, f"gw-{uuid.uuid4().hex[:6]}")
    assert not refused.connected and refused.refused is not None
    refused.close()


def test_the_service_manager_raises_an_alarm_limit_on_fleet(page: Page, app_url: str):
    sign_in(page, app_url, demo_email(Role.OEM_SERVICE_MANAGER))
    page.goto(f"{app_url}/fleet")
    rules = page.locator("#alarm-rules")
    expect(rules).to_contain_text("helium level below 60 %")

    page.locator("#edit-helium_low").click()
    page.locator("#rule-limit").fill("70")
    page.locator("#rule-clear").fill("65")
    page.locator("#rule-save").click()
    expect(page.get_by_text("must be above the limit")).to_be_visible()  # no hysteresis
    page.locator("#rule-clear").fill("72")
    page.locator("#rule-save").click()
    row = rules.locator("tr", has_text="helium_low")
    expect(row).to_contain_text("helium level below 70 %")
    expect(row).to_contain_text("Your numbers")
    _shot(page, "fleet-alarm-rules")

    page.locator("#edit-helium_low").click()
    page.locator("#rule-reset").click()
    expect(row).to_contain_text("helium level below 60 %")
    expect(row).to_contain_text("Default")
