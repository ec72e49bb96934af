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
import queue
import signal
import threading
import time
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
import psycopg

from services.columns import utcnow
from services.settings import get_settings
from services.telemetry import alarms
from services.telemetry.broker import INGEST_FILTER, INGEST_USER, SHARED_FILTER, ingest_password
from services.telemetry.ingest import Batch, Directory, connect
from services.telemetry.rollups import keep_partitions, roll_up

log = logging.getLogger("yantra.telemetry.ingest")
BATCH_SIZE = 5000
BATCH_WAIT_S = 0.1
ROLLUP_EVERY_S = 60
PARTITIONS_EVERY_S = 3600


def _client(client_id: str, topic: str, inbox: queue.Queue) -> mqtt.Client:
    url = urlparse(get_settings().mqtt_url or "mqtt://127.0.0.1:18830")
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=False,
        protocol=mqtt.MQTTv311,
        manual_ack=True,
    )
    client.username_pw_set(INGEST_USER, ingest_password())
    if url.scheme in ("mqtts", "ssl"):
        client.tls_set()
    client.max_queued_messages_set(0)

    def on_connect(c, userdata, flags, reason, properties):
        if reason.is_failure:
            log.error("broker refused the ingest: %s", reason)
            return
        c.subscribe(topic, qos=1)

    def on_subscribe(c, userdata, mid, reasons, properties):
        if any(r.is_failure for r in reasons):
            log.error("broker refused the ingest's subscription to %s: %s", topic, reasons)
        else:
            log.info("ingest %s subscribed to %s", client_id, topic)

    def on_message(c, userdata, message):
        inbox.put((message.topic, message.payload, message.mid, message.qos))

    client.on_connect = on_connect
    client.on_message = on_message
    client.on_subscribe = on_subscribe
    client.connect_async(url.hostname or "127.0.0.1", url.port or 1883, keepalive=30)
    return client


def run(client_id: str, shared: bool, stop: threading.Event) -> None:
    """Ingest until `stop` is set: gather up to BATCH_SIZE messages or BATCH_WAIT_S, store
    them, then acknowledge them."""
    inbox: queue.Queue = queue.Queue()
    client = _client(client_id, SHARED_FILTER if shared else INGEST_FILTER, inbox)
    client.loop_start()
    con = connect()
    directory = Directory()
    watch = alarms.Watch()
    chores = Chores(con, watch)
    try:
        while not stop.is_set():
            chores.run_due()
            batch = Batch(directory)
            acks = _gather(con, batch, inbox)
            if not acks:
                continue
            con, (added, readings) = _flush(con, batch, stop)
            chores.con = con
            for mid, qos in acks:
                if qos:
                    client.ack(mid, qos)
            try:
                watch.observe(readings)
            except Exception:
                # The readings are stored; an alarm that failed is retried when the rule next
                # trips. Storing must never stop for it.
                log.exception("alarm evaluation failed for a batch")
            log.debug("stored %s new readings of %s messages", added, len(acks))
    finally:
        client.disconnect()
        client.loop_stop()
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


def _gather(con, batch: Batch, inbox: queue.Queue) -> list[tuple[int, int]]:
    acks: list[tuple[int, int]] = []
    deadline = time.monotonic() + BATCH_WAIT_S
    while len(acks) < BATCH_SIZE:
        try:
            topic, payload, mid, qos = inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        batch.add(con, topic, payload)
        acks.append((mid, qos))
    return acks


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
