"""`make run` on a machine with no DATABASE_URL, REDIS_URL or MQTT_URL: the platform comes
up on embedded servers, Ctrl-C stops everything, and the next start finds its data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.embedded import port_open
from tests.conftest import ROOT
from tests.e2e.conftest import _free_port


def _call(url: str, data: dict | None = None, token: str | None = None, json_body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
    elif json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _start(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", "run"], cwd=ROOT, env=env,
                            stdout=log.open("a"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make run exited early:\n{log.read_text()[-3000:]}")
        try:
            if _call(f"{base}/api/v1/health") == {"status": "ok"}:
                return
        except OSError:
            pass
        time.sleep(2)
    pytest.fail(f"the platform did not come up:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> int:
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("make run did not stop on Ctrl-C")


def test_run_on_embedded_servers_keeps_data_across_restarts(tmp_path: Path):
    port, pg_port, mqtt_port = _free_port(), _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "MQTT_URL", "APP_DATABASE_URL")}
    env.update(PORT=str(port), VAR_DIR=str(tmp_path / "var"), EMBEDDED_PG_PORT=str(pg_port),
               EMBEDDED_MQTT_PORT=str(mqtt_port), REFLEX_WEB_WORKDIR=str(tmp_path / "web"),
               REFLEX_USE_SYSTEM_BUN="1",
               PATH=f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ['PATH']}")
    base, log = f"http://127.0.0.1:{port}", tmp_path / "run.log"

    proc = _start(env, log)
    _wait_healthy(base, proc, log)
    assert port_open("127.0.0.1", pg_port), "the embedded PostgreSQL is not listening"
    assert port_open("127.0.0.1", mqtt_port), "the embedded MQTT broker is not listening"
    assert (tmp_path / "var" / "pg" / "PG_VERSION").exists()
    token = _call(f"{base}/api/v1/auth/token", data={
        "username": "platform_admin@demo.yantra.in", "password": "yantra-demo"})["access_token"]
    created = _call(f"{base}/api/v1/tenants", token=token,
                    json_body={"name": "Kept Across Restarts Hospital", "kind": "hospital_chain"})
    _stop(proc)
    for _ in range(60):
        if not port_open("127.0.0.1", pg_port) and not port_open("127.0.0.1", port):
            break
        time.sleep(0.5)
    assert not port_open("127.0.0.1", pg_port), "Ctrl-C left PostgreSQL running"
    assert not port_open("127.0.0.1", port), "Ctrl-C left the web app running"

    proc = _start(env, log)
    try:
        _wait_healthy(base, proc, log)
        token = _call(f"{base}/api/v1/auth/token", data={
            "username": "platform_admin@demo.yantra.in", "password": "yantra-demo"})["access_token"]
        names = {t["id"]: t["name"] for t in _call(f"{base}/api/v1/tenants", token=token)["tenants"]}
        assert names.get(created["id"]) == "Kept Across Restarts Hospital"
        assert "demo organisations and accounts created" in log.read_text()
        assert log.read_text().count("demo organisations and accounts created") == 1
    finally:
        _stop(proc)
