"""The dispatcher optimises the day's tickets in a worker, sees the routes, moves one
ticket to another technician by hand, and accepts; a new P1 "MRI down" under a
round-the-clock contract is planned today or shows its next steps, accepting a plan that
does not keep it asks first, and a plan made before new tickets came in says it is
stale."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from services.actor import Role
from services.common.clock import IST
from services.db import system_session
from services.seed.demo import demo_email
from tests.conftest import ROOT
from tests.e2e.test_ops_console import _token
from tests.e2e.test_roles import sign_in
from tests.workers import celery_running

pytestmark = pytest.mark.e2e


def test_optimise_watch_see_routes_and_accept(page, app_url: str, tmp_path: Path):
    sign_in(page, app_url, demo_email(Role.DISPATCHER))
    page.goto(f"{app_url}/dispatch")
    with celery_running(tmp_path):
        page.click("#optimise")
        expect(page.locator("#plan-status")).to_have_text("ready", timeout=90_000)
    routes = page.locator("#plan-routes tbody tr")
    expect(routes.first).to_be_visible()
    lines = page.frame_locator("#dispatch-map").locator("path.leaflet-interactive")
    expect(lines.first).to_be_attached()
    # Reassign the first planned ticket to another technician: preview, then apply.
    page.click("#move-ticket")
    choice = page.get_by_role("option").first
    ticket_label = choice.inner_text()
    number, current = ticket_label.split()[0].lstrip("#"), ticket_label.rsplit(" · ", 1)[1]
    choice.click()
    page.click("#move-tech")
    target = (
        page.get_by_role("option")
        .filter(has_not_text=current)
        .filter(has_not_text="Leave it out")
        .first
    )
    # The picker's line: "name · hub · skills · load · ETA"; the routes show the name.
    new_tech = target.inner_text().split(" · ")[0].split(" (")[0]
    target.click()
    page.click("#move-preview")
    expect(page.locator("#move-violations")).to_be_visible()
    ticket_cell = page.get_by_role("cell", name=number, exact=True)
    preview = page.locator("#move-preview-routes tbody tr").filter(has=ticket_cell)
    expect(preview.first).to_contain_text(new_tech)
    page.click("#move-apply")
    moved = page.locator("#plan-routes tbody tr").filter(has_text=new_tech).filter(has=ticket_cell)
    expect(moved.first).to_be_visible()
    _accept(page)
    headers = _token(page.context, app_url, Role.DISPATCHER)
    listed = page.context.request.get(
        f"{app_url}/api/v1/tickets", headers=headers, params={"limit": 1000}
    ).json()["tickets"]
    mine = next(t for t in listed if str(t["number"]) == number)
    assert mine["status"] == "assigned"
    with system_session() as db:
        holder = db.execute(
            text(
                "SELECT u.full_name FROM ticket t JOIN technician h ON h.id = t.technician_id "
                "JOIN users u ON u.id = h.user_id WHERE t.id = :t"
            ),
            {"t": mine["ticketId"]},
        ).scalar_one()
    assert holder == new_tech


SHOTS = ROOT / "var" / "shots" / "dispatch"  # beside the checkout, never committed
GOLD_MRI = "MVI-MR15-24-000117"  # the demo hospital's MRI under a round-the-clock (gold) CMC


def _accept(page) -> None:
    """Accept the plan, confirming when it asks about P1s it does not keep."""
    page.click("#accept-plan")
    status, anyway = page.locator("#plan-status"), page.locator("#accept-anyway")
    expect(anyway.or_(status.filter(has_text="accepted"))).to_be_visible()
    if anyway.is_visible():
        anyway.click()
    expect(status).to_have_text("accepted")


def _open_ticket(page, app_url: str, query: str, priority: str, text: str) -> int:
    buyer = _token(page.context, app_url, Role.BUYER_ADMIN)
    devices = page.context.request.get(
        f"{app_url}/api/v1/devices", params={"q": query}, headers=buyer
    ).json()["devices"]
    opened = page.context.request.post(
        f"{app_url}/api/v1/tickets",
        headers=buyer,
        data={"deviceId": devices[0]["deviceId"], "priority": priority, "description": text},
    )
    assert opened.status == 201, opened.text()
    return opened.json()["number"]


def test_a_new_p1_is_planned_today_or_gets_next_steps_and_accepting_without_it_asks(
    page, app_url: str, tmp_path: Path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    number = _open_ticket(page, app_url, GOLD_MRI, "P1", "MRI down: no images, helium alarm")
    sign_in(page, app_url, demo_email(Role.DISPATCHER))
    page.goto(f"{app_url}/dispatch")
    with celery_running(tmp_path):
        page.click("#optimise")
        expect(page.locator("#plan-status")).to_have_text("ready", timeout=90_000)
    expect(page.locator("#plan-made")).to_contain_text("IST")
    cell = page.get_by_role("cell", name=str(number), exact=True)
    planned = page.locator("#plan-routes tbody tr").filter(has=cell)
    steps = page.locator("#next-steps .next-step").filter(has_text=f"P1 #{number}")
    expect(planned.or_(steps).first).to_be_visible()
    today = datetime.now(IST).strftime("%d %b")
    assert steps.count() > 0 or today in planned.first.inner_text()
    page.screenshot(path=str(SHOTS / "1-plan-with-the-new-p1.png"), full_page=True)

    # The dispatcher takes the P1 out of the plan by hand (the picker shows who else could
    # take it, best fit first): the page offers its next steps with their consequences.
    if planned.count():
        page.click("#move-ticket")
        page.get_by_role("option").filter(has_text=f"#{number} P1").click()
        page.click("#move-tech")
        choices = page.get_by_role("option")
        expect(choices.first).to_contain_text("ETA")
        assert " · " in choices.first.inner_text()
        page.screenshot(path=str(SHOTS / "2-picker-best-fit-first.png"))
        choices.filter(has_text="Leave it out").click()
        page.click("#move-preview")
        page.click("#move-apply")
    left_out = page.locator("#next-steps .next-step").filter(has_text=f"P1 #{number}")
    expect(left_out.first).to_contain_text("What moves")
    expect(page.locator("#plan-unassigned")).to_contain_text(str(number))
    page.locator("#next-steps").screenshot(path=str(SHOTS / "3-next-steps.png"))

    page.click("#accept-plan")
    dialog = page.locator("#accept-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"P1 #{number}")
    page.screenshot(path=str(SHOTS / "4-accept-asks.png"))
    page.click("#accept-anyway")
    expect(page.locator("#plan-status")).to_have_text("accepted")

    # A ticket opened after the plan was made: the plan says it is stale, and what changed.
    later = _open_ticket(page, app_url, "MVI-US9", "P3", "Probe image shows dropout")
    page.reload()
    expect(page.locator("#plan-stale-badge")).to_be_visible()
    expect(page.locator("#plan-stale")).to_contain_text(f"#{later}")
    page.screenshot(path=str(SHOTS / "5-stale-plan.png"), full_page=True)
