"""The built app (production mode, one port) and Debian's Chromium, for browser journeys."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from app.cli import web_command
from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Waits, not speed checks: on a busy machine (make run and make bench beside the tests) a
# page may take seconds to fill, so every expectation waits up to 30 s before failing.
expect.set_options(timeout=30_000)
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


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> str:
    port = _free_port()
    log = tmp_path_factory.mktemp("reflex") / "reflex.log"
    # The web process exactly as `make run` starts it, on a free port. A PORT in the
    # environment (honcho sets one for every process) must not move it, so one is set.
    env = {
        **os.environ,
        "PORT": "5000",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ['PATH']}",
    }
    proc = subprocess.Popen(
        web_command(port),
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 900  # the first production build takes minutes
    while not (_ready(f"{base}/api/v1/health") and _ready(f"{base}/login")):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the app did not start; its log:\n{log.read_text()[-4000:]}")
        time.sleep(2)
    yield base
    os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
