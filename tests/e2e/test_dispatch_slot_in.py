"""A dispatcher accepts an automatic slot-in: a P1 opens on a day whose plan is accepted,
the workers propose it into today's routes within a minute without anyone asking, the
dispatch page says where it goes, its ETA and who is bumped, the dispatcher accepts with
one click, and the technician's phone app then lists the job."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from services.db import system_session
from tests.conftest import ROOT
from tests.dispatch.test_urgent_slot_in import _p1, _round_the_clock
from tests.e2e.test_roles import sign_in
from tests.factories import PASSWORD
from tests.field.crew import make_crew
from tests.workers import celery_running

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "var" / "shots" / "dispatch"  # beside the checkout, never committed


def _wait_for_proposal(page, app_url: str, number: int) -> None:
    """Open /dispatch until it shows the proposal for ticket `number` (a minute at most)."""
    proposal = page.locator("#plan-proposal")
    deadline = time.monotonic() + 60
    while True:
        page.goto(f"{app_url}/dispatch")
        page.wait_for_load_state("networkidle")
        if proposal.count() and f"#{number}" in proposal.inner_text():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"no proposal for #{number} on /dispatch within a minute")
        time.sleep(2)


def test_a_dispatcher_accepts_an_automatic_slot_in(browser, page, app_url: str, tmp_path: Path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    crew = make_crew("CT-SLOT-IN-E2E")
    _round_the_clock(crew)
    crew.new_job()  # a P2 on a technician's accepted route for today
    sign_in(page, app_url, crew.partner.email, PASSWORD)

    with celery_running(tmp_path):
        p1 = _p1(crew, "Tube arcing; scans stopped")  # nobody asks for a plan
        with system_session() as db:
            number = db.execute(
                text("SELECT number FROM ticket WHERE id = :t"), {"t": p1}
            ).scalar_one()
        _wait_for_proposal(page, app_url, number)

    said = page.locator("#plan-proposal")
    expect(said).to_contain_text(re.compile(rf"P1 #{number} opened: proposed as stop \d+ of "))
    expect(said).to_contain_text(re.compile(r"ETA \d\d:\d\d IST"))
    expect(said).to_contain_text("nobody is bumped")
    expect(page.locator("#plan-status")).to_have_text("ready")
    expect(page.locator("#reject-plan")).to_be_visible()
    routes = page.locator("#plan-routes tbody tr")
    expect(routes.filter(has=page.get_by_role("cell", name=str(number), exact=True))).to_have_count(
        1
    )
    page.screenshot(path=str(SHOTS / "slot-in-1-proposal.png"), full_page=True)

    page.click("#accept-plan")
    expect(page.locator("#plan-status")).to_have_text("accepted")
    page.screenshot(path=str(SHOTS / "slot-in-2-accepted.png"), full_page=True)

    with system_session() as db:  # the technician the proposal named
        email, name = db.execute(
            text(
                "SELECT u.email, u.full_name FROM ticket t JOIN technician h "
                "ON h.id = t.technician_id JOIN users u ON u.id = h.user_id WHERE t.id = :t"
            ),
            {"t": p1},
        ).one()
    assert f"of {name}'s route" in said.inner_text()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        signed_in = phone.request.post(
            f"{app_url}/api/v1/auth/session", form={"email": email, "password": PASSWORD}
        )
        assert signed_in.ok, signed_in.text()
        app = phone.new_page()
        app.goto(f"{app_url}/field")
        expect(app.locator(f"article[data-ticket='{p1}']")).to_be_visible(timeout=30_000)
        expect(app.locator(f"article[data-ticket='{p1}']")).to_contain_text("P1")
        app.screenshot(path=str(SHOTS / "slot-in-3-technician-phone.png"), full_page=True)
    finally:
        phone.close()
