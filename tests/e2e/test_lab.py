"""The lab's day in the browser: a result sent by an analyzer appears on the console
without a reload, its critical haemoglobin is acknowledged by name, and when the analyzer
falls silent the service partner's ops console shows the ticket it opened."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from services.columns import utcnow
from services.common.clock import IST
from services.db import tenant_session
from services.lab.health import check_analyzers
from services.lab.models import LabChannel, LabMessage
from services.lab.processor import process_waiting
from tests.e2e.test_roles import sign_in
from tests.factories import PASSWORD
from tests.lab.console_lab import make_lab
from tests.lab.messages import oru

pytestmark = pytest.mark.e2e
SHOTS = __import__("pathlib").Path(__file__).resolve().parents[2] / "var" / "shots"


def _send(lab, hgb: str) -> None:
    """What the MLLP listener stores, then the processor, as the analyzer's message."""
    with tenant_session(lab.org.actor) as db:
        channel = db.get(LabChannel, lab.channel_id)
        control = uuid.uuid4().hex[:10]
        db.add(
            LabMessage(
                tenant_id=lab.org.tenant.id,
                channel_id=channel.id,
                sending_application=channel.sending_application,
                control_id=control,
                message_type="ORU^R01",
                version="2.5.1",
                state="received",
                raw=oru(control, channel.sending_application, hgb=hgb).decode(),
            )
        )
    while process_waiting():
        pass


def _next_working_morning():
    day = utcnow().astimezone(IST) + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day.replace(hour=11, minute=0, second=0, microsecond=0)


def test_results_arrive_live_a_critical_is_acknowledged_and_silence_reaches_ops(
    browser, app_url: str
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    lab = make_lab(silent_after=30)
    staff = browser.new_context(viewport={"width": 1366, "height": 900})
    ops = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        console = staff.new_page()
        sign_in(console, app_url, lab.org.email, PASSWORD)
        console.goto(f"{app_url}/lab")
        expect(console.locator("#live-badge")).to_have_text("live")
        console.evaluate("window.__sameDocument = true")  # gone if the page reloads

        _send(lab, hgb="5.2")
        critical = console.locator(".critical-value")
        expect(critical).to_have_count(1)
        expect(critical).to_contain_text("5.2")
        expect(console.locator(".lab-result")).to_have_count(10)
        expect(console.locator("#critical-alarm")).to_have_attribute("data-alarms", "1")
        assert console.evaluate("window.__sameDocument") is True
        console.screenshot(path=str(SHOTS / "lab-console.png"), full_page=True)

        critical.get_by_role("button", name="Acknowledge").click()
        expect(console.locator("#ack-confirm")).to_be_disabled()
        console.fill("#ack-informed", "Dr Mehta, ward 4 (phone)")
        console.click("#ack-confirm")
        expect(critical).to_have_count(0)
        expect(console.locator("#verification-queue")).to_contain_text("critical value")

        opened = check_analyzers(_next_working_morning(), lab.org.tenant.id).opened
        assert len(opened) == 1
        board = ops.new_page()
        sign_in(board, app_url, lab.partner.email, PASSWORD)
        board.goto(f"{app_url}/ops")
        expect(board.locator("#ticket-board")).to_contain_text("ANALYZER_SILENT")
        board.screenshot(path=str(SHOTS / "lab-silent-ops.png"))
    finally:
        staff.close()
        ops.close()
