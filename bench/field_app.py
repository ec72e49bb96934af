"""The field app on a phone: how long /field takes to show the technician's jobs on a first
visit (nothing cached) and on a reload with no network (from the service worker's cache and
the phone's IndexedDB). Chromium with a 390 x 844 touch viewport, the web app as `make run`
starts it. `python -m bench.field_app` writes bench/results/field_app.json.
"""

from __future__ import annotations

import time

from bench.live import CHROMIUM_ARGS, _free_port, _wait_up
from bench.tickets import ROOT, _stop, start_web

VISITS = 10
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
JOBS_DRAWN = "article.card, p.empty"


def _phone(browser, base: str):
    context = browser.new_context(**PHONE)
    answer = context.request.post(
        f"{base}/api/v1/auth/session",
        form={"email": "technician@demo.yantra.in", "password": "yantra-demo"},
    )
    assert answer.ok, answer.text()
    return context


def _first_visit(browser, base: str) -> float:
    context = _phone(browser, base)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(f"{base}/field")
        page.wait_for_selector(JOBS_DRAWN, timeout=60_000)
        return time.perf_counter() - start
    finally:
        context.close()


def _offline_reloads(browser, base: str) -> list[float]:
    context = _phone(browser, base)
    try:
        page = context.new_page()
        page.goto(f"{base}/field")
        page.wait_for_selector(JOBS_DRAWN, timeout=60_000)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_selector(JOBS_DRAWN, timeout=60_000)
        context.set_offline(True)
        samples = []
        for _ in range(VISITS):
            start = time.perf_counter()
            page.reload()
            page.wait_for_selector(JOBS_DRAWN, timeout=60_000)
            samples.append(time.perf_counter() - start)
        return samples
    finally:
        context.close()


def measure() -> dict:
    from playwright.sync_api import sync_playwright

    from bench.run import _percentiles

    port = _free_port()
    log = ROOT / "bench" / "results" / "field-web.log"
    app = start_web(port, log)
    base = f"http://localhost:{port}"
    try:
        _wait_up(base)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            _first_visit(browser, base)  # the web process warms up once
            first = [_first_visit(browser, base) for _ in range(VISITS)]
            offline = _offline_reloads(browser, base)
            browser.close()
    finally:
        _stop(app)
        log.unlink(missing_ok=True)
    return {
        "firstVisit": _percentiles(first),
        "offlineReload": _percentiles(offline),
        "path": "navigation start → the first job card (or the empty state) drawn; first visit "
        "in a new browser context (no cache, no service worker), offline reload with the "
        "context's network cut",
        "viewport": "390 x 844, touch, Chromium",
    }


def main() -> None:
    from app.cli import prepare
    from bench.run import bench_database, write_result

    with bench_database():
        prepare()
        figures = measure()
    write_result("field_app.json", figures)


if __name__ == "__main__":
    main()
