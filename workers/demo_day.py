"""The living demo's clock: `make run` starts it when DEMO_LIVE=1 (the default there), and
every DEMO_TICK_SECONDS (60) it moves the demo service day along
(`services/seed/live_day.py`): technicians advance on their routes and now and then a
hospital reports a new fault.

    python -m workers.demo_day [--seconds 60]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

import services.models  # noqa: F401  (every table known to the ORM: plans refer to users)
from services.common.logs import configure_json_logging
from services.seed.live_day import tick
from services.settings import get_settings

log = logging.getLogger("yantra.demo")


def run(seconds: float, stop: threading.Event) -> None:
    """Tick until `stop` is set. A failed tick is logged and the next one tried: the demo
    must outlive a ticket someone moved by hand at the same moment."""
    while not stop.wait(seconds):
        try:
            done = tick()
            log.info("demo day: %d steps taken, %d new tickets", done.moved, done.opened)
        except Exception:  # noqa: BLE001 - logged with its trace; the next tick starts afresh
            log.exception("demo day: the tick failed")


def main() -> None:
    parser = argparse.ArgumentParser(description="Yantra's living demo")
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("DEMO_TICK_SECONDS") or 60)
    )
    args = parser.parse_args()
    configure_json_logging(get_settings().log_level)
    if get_settings().is_production:
        raise SystemExit("the living demo invents tickets: it never runs in production")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("demo day moving every %g s", args.seconds)
    run(args.seconds, stop)


if __name__ == "__main__":
    main()
