"""Subscribers loaded by the Celery worker under test (EVENT_SUBSCRIBER_MODULES).

They record each delivery in files under EVENT_LOG_DIR, which the test reads.
"""

from __future__ import annotations

import os
from pathlib import Path

from services.events.registry import subscriber


def _log_dir() -> Path:
    path = Path(os.environ["EVENT_LOG_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


@subscriber("test_recorder", events=["AccessGranted"])
def recorder(db, event) -> None:
    with (_log_dir() / "recorder.log").open("a") as fh:
        fh.write(f"{event.id}\n")


@subscriber("test_flaky", events=["AccessGranted"])
def flaky(db, event) -> None:
    """Fails the first two times it sees an event, as a downstream outage would."""
    counter = _log_dir() / f"flaky-{event.id}.count"
    tries = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(tries))
    if tries < 3:
        raise RuntimeError(f"downstream unavailable (try {tries})")
    with (_log_dir() / "flaky.log").open("a") as fh:
        fh.write(f"{event.id}\n")
