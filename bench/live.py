"""Live pages in a real browser: how long a change made through the API takes to show on
an open page, without a reload. The ops console (a new ticket appears on the dispatcher's
board, then its status changes) and the negotiation room (the OEM's message reaches the
buyer's open room). Each figure is p50/p95 over at least 20 changes, watched on every
animation frame so it is the latency, not a polling step.

`python -m bench.live` writes bench/results/live.json; `make bench` runs it too.
"""

from __future__ import annotations

import socket
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

from bench.tickets import ROOT, _stop, start_web

CHANGES = 25
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(base: str) -> None:
    for _ in range(450):
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2)
            return
        except OSError:
            time.sleep(2)
    raise RuntimeError("the web app did not start")


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", "yantra-demo")
    page.click("#sign-in")
    page.wait_for_url(f"{base}/")


def _headers(api, base: str, user: str) -> dict:
    token = api.post(
        f"{base}/api/v1/auth/token",
        form={"username": f"{user}@demo.yantra.in", "password": "yantra-demo"},
    ).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def _latency(page, act, condition: str) -> float:
    """Seconds from the API answering `act()` to `condition` holding in the page."""
    act()
    sent = time.perf_counter()
    page.wait_for_function(condition, polling="raf", timeout=60_000)
    return time.perf_counter() - sent


def ops_board(browser, api, base: str) -> dict:
    from bench.run import _percentiles

    board = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(board, base, "dispatcher@demo.yantra.in")
    board.goto(f"{base}/ops")
    board.wait_for_function(
        "document.getElementById('live-badge')?.textContent === 'live'", timeout=60_000
    )
    buyer, dispatcher = _headers(api, base, "buyer_admin"), _headers(api, base, "dispatcher")
    device = api.get(f"{base}/api/v1/devices", params={"q": "MVI-DR2"}, headers=buyer).json()[
        "devices"
    ][0]["deviceId"]
    appear, change = [], []
    for i in range(CHANGES):
        opened = {}

        def open_ticket(n=i, box=opened):
            box.update(
                api.post(
                    f"{base}/api/v1/tickets",
                    headers=buyer,
                    data={
                        "deviceId": device,
                        "priority": "P3",
                        "errorCode": "BENCH",
                        "description": f"bench live change {n}",
                    },
                ).json()
            )

        appear.append(_appear(board, open_ticket, opened))
        change.append(
            _latency(
                board,
                lambda box=opened: api.patch(
                    f"{base}/api/v1/tickets/{box['ticketId']}/status",
                    headers=dispatcher,
                    data={"status": "acknowledged"},
                ),
                f"(document.querySelector('#ticket-{opened['number']} .ticket-status') || {{}})"
                ".textContent === 'acknowledged'",
            )
        )
    board.close()
    return {"newTicketOnBoard": _percentiles(appear), "statusChangeOnBoard": _percentiles(change)}


def _appear(page, open_ticket, box: dict) -> float:
    """A new ticket's row (its number is known once the API answers)."""
    open_ticket()
    sent = time.perf_counter()
    page.wait_for_function(
        f"document.getElementById('ticket-{box['number']}') !== null", polling="raf", timeout=60_000
    )
    return time.perf_counter() - sent


def negotiation_room(browser, api, base: str) -> dict:
    from bench.run import _percentiles

    buyer, oem = _headers(api, base, "buyer_admin"), _headers(api, base, "oem_admin")
    me = api.get(f"{base}/api/v1/me", headers=buyer).json()["tenantId"]
    seller = api.get(f"{base}/api/v1/me", headers=oem).json()["tenantId"]
    rfq = api.post(
        f"{base}/api/v1/rfqs",
        headers=buyer,
        data={
            "buyerId": me,
            "items": [{"sku": "MVI-PM12", "qty": 4}],
            "expiresAt": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "deliveryPincode": "110029",
            "oemIds": [seller],
        },
    ).json()["rfqId"]
    api.post(
        f"{base}/api/v1/rfqs/{rfq}/quotes",
        headers=oem,
        data={
            "lines": [{"item": "MVI-PM12", "unitPricePaise": 3_85_000_00}],
            "validUntil": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
            "warrantyYears": 1,
            "leadTimeDays": 21,
        },
    )
    room = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(room, base, "buyer_admin@demo.yantra.in")
    room.goto(f"{base}/negotiation/{rfq}/{seller}")
    room.wait_for_function(
        "document.getElementById('room-live')?.textContent === 'live'", timeout=60_000
    )
    samples = []
    for i in range(CHANGES):
        text = f"bench message {i} {uuid.uuid4().hex[:6]}"
        samples.append(
            _latency(
                room,
                lambda t=text: api.post(
                    f"{base}/api/v1/rfqs/{rfq}/negotiation/messages",
                    headers=oem,
                    data={"oemId": seller, "body": t},
                ),
                f"document.body.innerText.includes({text!r})",
            )
        )
    room.close()
    return {"messageReachesOpenRoom": _percentiles(samples)}


def measure() -> dict:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    log = ROOT / "bench" / "results" / "live-web.log"
    app = start_web(port, log)
    base = f"http://localhost:{port}"
    try:
        _wait_up(base)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            api = pw.request.new_context()
            figures = {
                **ops_board(browser, api, base),
                **negotiation_room(browser, api, base),
                "changes": CHANGES,
                "path": "API call answered → the change drawn in an open Chromium tab "
                "(web app as make run starts it, one process)",
            }
            browser.close()
    finally:
        _stop(app)
        log.unlink(missing_ok=True)
    return figures


def main() -> None:
    from app.cli import prepare
    from bench.run import bench_database, write_result

    with bench_database():
        prepare()
        figures = measure()
    write_result("live.json", figures)


if __name__ == "__main__":
    main()
