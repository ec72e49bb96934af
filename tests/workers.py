"""Real Celery worker and beat processes for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from services.common.tasks import queues
from tests.conftest import ROOT


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery_app", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


@contextmanager
def celery_running(tmp_path: Path, **extra_env: str):
    """The workers as `make run` starts them (one of 2 processes on the default and SLA
    queues, one on the urgent queue) and a beat, for the duration of the block."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **extra_env}
    default, sla, urgent = queues()
    name = uuid.uuid4().hex[:6]
    procs = [
        _start(
            ["worker", "--loglevel=INFO", "--concurrency=2", "-Q", f"{default},{sla}"]
            + ["-n", f"test-{name}@%h"],
            env,
            tmp_path / "worker.log",
        ),
        _start(
            ["worker", "--loglevel=INFO", "--concurrency=1", "-Q", urgent]
            + ["-n", f"urgent-{name}@%h"],
            env,
            tmp_path / "urgent-worker.log",
        ),
        _start(
            ["beat", "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule")],
            env,
            tmp_path / "beat.log",
        ),
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_until_ready(tmp_path: Path, timeout: float = 90) -> None:
    """Blocks until the workers started by `celery_running(tmp_path)` say they are ready
    (a busy machine can take many seconds to start them)."""
    deadline = time.monotonic() + timeout
    logs = [tmp_path / "worker.log", tmp_path / "urgent-worker.log"]
    while time.monotonic() < deadline:
        if all(log.exists() and " ready." in log.read_text(errors="replace") for log in logs):
            return
        time.sleep(0.2)
    raise TimeoutError(f"the Celery workers did not start within {timeout:.0f} s")
