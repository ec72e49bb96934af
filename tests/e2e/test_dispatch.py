"""The dispatcher optimises the day's tickets in a worker, sees the routes, moves one
ticket to another technician by hand, and accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from services.actor import Role
from services.db import system_session
from services.seed.demo import demo_email
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
    new_tech = target.inner_text()
    target.click()
    page.click("#move-preview")
    expect(page.locator("#move-violations")).to_be_visible()
    ticket_cell = page.get_by_role("cell", name=number, exact=True)
    preview = page.locator("#move-preview-routes tbody tr").filter(has=ticket_cell)
    expect(preview.first).to_contain_text(new_tech)
    page.click("#move-apply")
    moved = page.locator("#plan-routes tbody tr").filter(has_text=new_tech).filter(has=ticket_cell)
    expect(moved.first).to_be_visible()
    page.click("#accept-plan")
    expect(page.locator("#plan-status")).to_have_text("accepted")
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
