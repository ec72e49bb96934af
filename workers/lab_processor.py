"""The lab message processor: turns stored messages into results, off the ACK path.

`python -m workers.lab_processor` processes waiting messages in batches, sleeps on the
`lab_message` notice the listeners send after each commit (or one second), sends new
orders to analyzers set to push, and once an hour applies the retention policy. Several may run side by side (rows are claimed).
"""

from __future__ import annotations

import logging
import signal
import time

import psycopg

from services.lab.processor import process_waiting
from services.lab.push import push_new_orders
from services.lab.retention import apply_retention
from services.lab.store import libpq_url
from services.settings import get_settings

log = logging.getLogger("yantra.lab.processor")
RETENTION_EVERY = 3600.0
PUSH_RETRY = 30.0  # seconds before orders an analyzer did not take are offered again


def run(stop: list[bool]) -> None:
    """Processes until `stop[0]` is set; reconnects when the database goes away."""
    last_retention = next_push = 0.0
    while not stop[0]:
        try:
            with psycopg.connect(libpq_url(), autocommit=True) as conn:
                conn.execute("LISTEN lab_message")
                while not stop[0]:
                    if time.monotonic() - last_retention > RETENTION_EVERY:
                        apply_retention(get_settings().lab_retention_days)
                        last_retention = time.monotonic()
                    if time.monotonic() >= next_push:
                        _, failed = push_new_orders()
                        next_push = time.monotonic() + (PUSH_RETRY if failed else 0)
                    if process_waiting():
                        continue
                    for _ in conn.notifies(timeout=1.0, stop_after=1):
                        pass
        except psycopg.OperationalError as error:
            log.warning("lab processor: database unavailable (%s); retrying", error)
            time.sleep(2)


def cli() -> None:
    logging.basicConfig(level=get_settings().log_level, format="%(asctime)s %(name)s %(message)s")
    stop = [False]

    def halt(*_):
        stop[0] = True

    signal.signal(signal.SIGTERM, halt)
    signal.signal(signal.SIGINT, halt)
    log.info("lab processor started")
    run(stop)


if __name__ == "__main__":
    cli()
