"""The two commands as the README gives them, on a fresh clone with nothing set.

`make run` with no PORT, DATABASE_URL, REDIS_URL or MQTT_URL comes up at
http://localhost:8000 on embedded servers (honcho's own PORT for each process must not move
the web app), Ctrl-C stops everything, and the next start finds its data. `make test` on a
machine without PostgreSQL stops the embedded server it started.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.platform.fresh_clone import (
    Host,
    Namespace,
    isolated_network,
    make_clone,
    user_environment,
)

BASE = "http://localhost:8000"
DEFAULT_PORTS = (8000, 54329, 18830)


@pytest.fixture
def clone():
    """A fresh clone outside pytest's own temporary folder, which pytest keeps private
    (mode 700): the embedded PostgreSQL runs as a user of its own and must reach its data."""
    target = Path(tempfile.mkdtemp(prefix="yantra-clone-"))
    target.chmod(0o755)
    yield make_clone(target / "yantra")
    shutil.rmtree(target, ignore_errors=True)


@pytest.fixture
def network():
    """A network of the test's own, so the default ports are free for the clone."""
    if isolated_network():
        net = Namespace()
        yield net
        net.close()
        return
    from app.embedded import port_open

    busy = [p for p in DEFAULT_PORTS if port_open("127.0.0.1", p)]
    if busy:
        pytest.skip(f"ports {busy} are in use and this machine gives no network namespace")
    yield Host()


def _call(net, url: str, **options) -> tuple[int, str]:
    args = [sys.executable, "-m", "tests.platform.probe", url]
    for key, value in options.get("form", {}).items():
        args += ["--form", f"{key}={value}"]
    if "json_body" in options:
        args += ["--json", json.dumps(options["json_body"])]
    if "token" in options:
        args += ["--token", options["token"]]
    out = net.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"the probe failed: {out.stderr[-2000:]}"
    result = json.loads(out.stdout)
    return result["status"], result["body"]


def _browser_sign_in(net, email: str) -> dict:
    """Sign in through the UI in Chromium (inside the same network)."""
    out = net.run(
        [sys.executable, "-m", "tests.platform.probe", BASE, "--sign-in", email],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, f"signing in through the UI failed: {out.stderr[-2000:]}"
    return json.loads(out.stdout)


def _open(net, port: int) -> bool:
    code = f"import socket; socket.create_connection(('127.0.0.1', {port}), 0.5)"
    return net.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def _start(net, clone: Path, log: Path) -> subprocess.Popen:
    return net.popen(
        ["make", "run"],
        cwd=clone,
        env=user_environment(),
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_healthy(net, proc: subprocess.Popen, log: Path, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make run exited early:\n{log.read_text()[-3000:]}")
        status, body = _call(net, f"{BASE}/api/v1/health")
        if status == 200 and json.loads(body) == {"status": "ok"}:
            return
        time.sleep(2)
    pytest.fail(f"the platform did not come up at {BASE}:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> int:
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    try:
        return proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("make run did not stop on Ctrl-C")


def _sign_in(net) -> str:
    status, body = _call(
        net,
        f"{BASE}/api/v1/auth/token",
        form={"username": "platform_admin@demo.yantra.in", "password": "yantra-demo"},
    )
    assert status == 200, body
    return json.loads(body)["access_token"]


def test_make_run_serves_localhost_8000_and_keeps_data_across_restarts(tmp_path, clone, network):
    log = tmp_path / "run.log"

    proc = _start(network, clone, log)
    try:
        _wait_healthy(network, proc, log)
        status, page = _call(network, f"{BASE}/login")
        assert status == 200 and "<html" in page.lower(), "the sign-in page does not answer"
        landed = _browser_sign_in(network, "dispatcher@demo.yantra.in")
        assert landed["url"] == f"{BASE}/", landed
        assert _open(network, 54329), "the embedded PostgreSQL is not listening"
        assert _open(network, 18830), "the embedded MQTT broker is not listening"
        assert (clone / "var" / "pg" / "PG_VERSION").exists()
        status, body = _call(
            network,
            f"{BASE}/api/v1/tenants",
            token=_sign_in(network),
            json_body={"name": "Kept Across Restarts Hospital", "kind": "hospital_chain"},
        )
        assert status == 201, body
        created = json.loads(body)
    finally:
        _stop(proc)
    for _ in range(60):
        if not _open(network, 54329) and not _open(network, 8000):
            break
        time.sleep(0.5)
    assert not _open(network, 54329), "Ctrl-C left PostgreSQL running"
    assert not _open(network, 8000), "Ctrl-C left the web app running"

    proc = _start(network, clone, log)
    try:
        _wait_healthy(network, proc, log)
        status, body = _call(network, f"{BASE}/api/v1/tenants", token=_sign_in(network))
        names = {t["id"]: t["name"] for t in json.loads(body)["tenants"]}
        assert names.get(created["id"]) == "Kept Across Restarts Hospital"
        assert log.read_text().count("demo organisations and accounts created") == 1
        # Nothing changed between the starts: the second serves the first one's build.
        assert log.read_text().count("Front end unchanged since its last build") == 1
    finally:
        _stop(proc)


def test_make_test_without_postgresql_stops_the_server_it_started(clone):
    if not isolated_network():
        pytest.skip("needs a network namespace (root) to hide the machine's PostgreSQL")
    net = Namespace()
    try:
        assert not _open(net, 5432)
        run = net.run(
            ["make", "test", "PYTEST_ARGS=tests/platform/test_settings.py -q"],
            cwd=clone,
            env=user_environment(),
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert (clone / "var" / "test-pg" / "PG_VERSION").exists(), (
            "the tests did not run on an embedded PostgreSQL"
        )
        assert not _open(net, 54339), "make test left its embedded PostgreSQL running"
        assert not (clone / "var" / "test-pg" / "postmaster.pid").exists()
    finally:
        net.close()
