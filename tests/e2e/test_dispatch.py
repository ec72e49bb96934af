"""The dispatcher optimises the day's tickets in a worker, sees the routes, and accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from services.actor import Role
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
    number = routes.first.locator("td").nth(2).inner_text()
    page.click("#accept-plan")
    expect(page.locator("#plan-status")).to_have_text("accepted")
    headers = _token(page.context, app_url, Role.DISPATCHER)
    listed = page.context.request.get(f"{app_url}/api/v1/tickets", headers=headers,
                                      params={"limit": 1000}).json()["tickets"]
    mine = next(t for t in listed if str(t["number"]) == number)
    assert mine["status"] == "assigned"
