"""The directory map, nearby search and the coverage check, in Chromium."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from services.actor import Role
from services.seed.demo import demo_email
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e


def test_the_directory_map_clusters_tens_of_thousands_of_facilities(page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.goto(f"{app_url}/directory")
    expect(page.locator("#directory-range")).to_contain_text("of 36,")
    the_map = page.frame_locator("#directory-map")
    clusters = the_map.locator(".marker-cluster")
    expect(clusters.first).to_be_visible(timeout=20_000)
    # Markers are added in chunks; once all are in, the clusters hold (nearly) every
    # facility of the directory, a few isolated ones standing alone.
    deadline, clustered = time.monotonic() + 30, 0
    while clustered < 35_000 and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        clustered = sum(int(t.replace(",", "")) for t in clusters.locator("span").all_inner_texts())
    assert clustered >= 35_000
    # Filtering narrows both the table and the map.
    page.fill("#directory-q", "Pune")
    page.click("#directory-search")
    expect(page.locator("#directory-range")).not_to_contain_text("of 36,")
    expect(page.locator("#directory-table tbody tr").first).to_contain_text("Pune")
    expect(page.locator("#directory-map")).to_have_attribute(
        "src", "/api/v1/geo/maps/directory?q=Pune"
    )
    expect(page.frame_locator("#directory-map").locator(".marker-cluster").first).to_be_visible(
        timeout=20_000
    )


def test_nearby_search_lists_the_nearest_first(page, app_url: str):
    sign_in(page, app_url, demo_email(Role.BUYER_USER))
    page.goto(f"{app_url}/directory")
    page.click("#tab-nearby")
    page.fill("#nearby-pincode", "110029")
    page.fill("#nearby-radius", "3")
    page.click("#nearby-search")
    expect(page.locator("#nearby-note")).to_contain_text("within 3 km of 110029")
    cells = page.locator("#nearby-table tbody tr td:last-child").all_inner_texts()
    distances = [float(c.split()[0]) for c in cells]
    assert distances and distances == sorted(distances) and max(distances) <= 3
    page.locator("#nearby-table tbody tr a").first.click()
    page.wait_for_url(f"{app_url}/directory/**")
    expect(page.locator("#facility-name")).not_to_be_empty()


def test_the_coverage_check_answers_on_the_page(page, app_url: str):
    sign_in(page, app_url, demo_email(Role.DISPATCHER))
    page.goto(f"{app_url}/service-areas")
    expect(page.locator(".area-card").first).to_be_visible()
    page.fill("#coverage-pincode", "110029")
    page.click("#coverage-check")
    answer = page.locator("#coverage-answer")
    expect(answer).to_contain_text("Covered")
    expect(answer).to_contain_text("h to respond")
    expect(answer).to_contain_text("MRI technician")
    expect(page.frame_locator("#area-map").locator(".leaflet-interactive").first).to_be_attached()
    page.fill("#coverage-pincode", "781001")
    page.click("#coverage-check")
    expect(answer).to_contain_text("Not covered")
    expect(answer).to_contain_text("No service area covers 781001")
