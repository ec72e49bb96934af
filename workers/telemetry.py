"""The telemetry ingest: subscribes to every device's topic at QoS 1 with a persistent
session and stores what arrives in batches. A message is acknowledged to the broker only
after its batch is committed, so a crash or restart loses nothing: the broker sends the
unacknowledged messages again and the (device, ts, seq) key stores each reading once.

    python -m workers.telemetry [--client-id yantra-ingest-1] [--shared]

`--shared` subscribes through `$share/yantra/...` so several ingest processes split the
load (Mosquitto); the embedded broker has no shared subscriptions, so it runs one.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time

import psycopg

from services.columns import utcnow
from services.settings import get_settings
from services.telemetry import alarms
from services.telemetry.broker import INGEST_FILTER, SHARED_FILTER
from services.telemetry.ingest import Batch, Directory, connect
from services.telemetry.rollups import keep_partitions, roll_up
from workers.telemetry_link import Link

log = logging.getLogger("yantra.telemetry.ingest")
BATCH_SIZE = 5000
BATCH_WAIT_S = 0.1
ROLLUP_EVERY_S = 60
PARTITIONS_EVERY_S = 3600


def run(client_id: str, shared: bool, stop: threading.Event) -> None:
    """Ingest until `stop` is set: gather up to BATCH_SIZE messages or BATCH_WAIT_S, store
    them, then acknowledge them."""
    url = get_settings().mqtt_url or "mqtt://127.0.0.1:18830"
    link = Link(client_id, SHARED_FILTER if shared else INGEST_FILTER, url)
    con = connect()
    directory = Directory()
    watch = alarms.Watch()
    chores = Chores(con, watch)
    try:
        while not stop.is_set():
            chores.run_due()
            messages = link.gather(BATCH_SIZE, BATCH_WAIT_S)
            connection = link.connection
            if not messages:
                continue
            batch = Batch(directory)
            for m in messages:
                batch.add(con, m.topic, m.payload)
            con, (added, readings) = _flush(con, batch, stop)
            chores.con = con
            link.ack(messages, connection)
            try:
                watch.observe(readings)
            except Exception:
                # The readings are stored; an alarm that failed is retried when the rule next
                # trips. Storing must never stop for it.
                log.exception("alarm evaluation failed for a batch")
            log.debug("stored %s new readings of %s messages", added, len(messages))
    finally:
        link.close()
        con.close()


class Chores:
    """What the ingest does besides storing: rollups and silent devices every minute, the
    coming days' partitions and retention every hour. Each is idempotent, so several ingest
    processes doing them is harmless."""

    def __init__(self, con, watch: alarms.Watch) -> None:
        self.con, self.watch = con, watch
        self.next_rollup = self.next_partitions = 0.0

    def run_due(self) -> None:
        now = time.monotonic()
        try:
            if now >= self.next_partitions:
                self.next_partitions = now + PARTITIONS_EVERY_S
                keep_partitions(self.con, utcnow())
            if now >= self.next_rollup:
                self.next_rollup = now + ROLLUP_EVERY_S
                roll_up(self.con, utcnow())
                self.watch.check_silence(utcnow())
        except Exception:
            # Housekeeping must never stop the ingest; it is retried on the next round.
            log.exception("telemetry housekeeping failed")


def _flush(con, batch: Batch, stop: threading.Event):
    """Store the batch, retrying while the database is unreachable (nothing is acknowledged
    meanwhile, so nothing is lost). Returns the connection in use and what was stored."""
    while True:
        try:
            return con, batch.flush(con)
        except psycopg.OperationalError:
            log.exception("database unreachable: the batch waits and is tried again")
            if stop.wait(2):
                raise
            batch.restore()
            try:
                con.close()
                con = connect()
            except psycopg.OperationalError:
                log.warning("database still unreachable")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client-id", default="yantra-ingest-1")
    parser.add_argument("--shared", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run(args.client_id, args.shared, stop)


if __name__ == "__main__":
    main()
