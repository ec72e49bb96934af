"""Telemetry ingest: readings per second from MQTT publish to committed rows.

Four publishers (one device each, its own credential; Mosquitto's C client `mosquitto_pub -l`,
each reading its own QoS 1 message in the documented payload shape) publish through a
Mosquitto the platform configures (password and ACL files, unbounded queue for the ingest's
persistent session) to the ingest worker(s), which validate and COPY them into the
partitioned readings table and acknowledge each message after its batch is committed.
Measured: readings/s from the first reading handed to a publisher to the last row
committed, readings lost (acknowledged by the broker but not stored) and duplicated (stored
more than once), and end-to-end lag (the reading's `ts`, set when it is handed to its
publisher, to its row's `received_at`) p50/p99. Goal: at least 20,000 readings/s, 0 lost,
0 duplicated.

Twice: at full speed (the publishers send as fast as they can, so readings queue in the
broker and the lag shows the queue), then paced at the goal's 20,000 readings/s, where the
lag is what a reading waits in normal running."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHERS = 4
PER_PUBLISHER = int(os.environ.get("BENCH_TELEMETRY_PER_PUBLISHER", "50000"))
WAIT_S = 60
INGEST_WORKERS = 2
MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PUB = "/usr/bin/mosquitto_pub"
INFLIGHT = 1000
FEED_CHUNK = 50
PACED_RATE = 20_000  # readings/s offered by the four publishers together, in the paced run
PACED_SECONDS = 5


def _devices(count: int) -> list[uuid.UUID]:
    """Owner, manufacturer, an MRI SKU and `count` devices, written directly as the owner."""
    from sqlalchemy import text

    from services.db import system_session

    with system_session() as db:
        hospital, oem = uuid.uuid4(), uuid.uuid4()
        for tid, kind in ((hospital, "hospital_chain"), (oem, "oem")):
            db.execute(
                text("INSERT INTO tenant (id, name, kind, tier) VALUES (:i, :n, :k, 'standard')"),
                {"i": tid, "n": f"Bench {kind}", "k": kind},
            )
        sku = db.execute(
            text(
                "INSERT INTO sku (tenant_id, code, name, category, imdr_class, list_price_paise,"
                " gst_rate, is_active) VALUES (:o, 'BENCH-MR', 'Bench MRI', 'MRI', 'C', 1, 12,"
                " true) RETURNING id"
            ),
            {"o": oem},
        ).scalar_one()
        return [
            db.execute(
                text(
                    "INSERT INTO equipment (tenant_id, manufacturer_tenant_id, sku_id,"
                    " serial_number, amc_status, lifecycle_status) VALUES"
                    " (:h, :o, :s, :n, 'none', 'registered') RETURNING id"
                ),
                {"h": hospital, "o": oem, "s": sku, "n": f"BENCH-{i}"},
            ).scalar_one()
            for i in range(count)
        ]


def _credentials(devices: list[uuid.UUID]) -> list[dict]:
    from sqlalchemy import text

    from services.actor import Actor, Role, TenantKind
    from services.db import system_session, tenant_session
    from services.telemetry.credentials import issue_credential

    issued = []
    for device_id in devices:
        with system_session() as db:
            owner = db.execute(
                text("SELECT tenant_id FROM equipment WHERE id = :d"), {"d": device_id}
            ).scalar_one()
        actor = Actor(None, owner, TenantKind.HOSPITAL_CHAIN, frozenset({Role.BUYER_ADMIN}), "b")
        with tenant_session(actor) as db:
            issued.append(issue_credential(db, actor, device_id))
    return issued


def _publisher(port: int, credential: dict) -> subprocess.Popen:
    """A device's gateway: Mosquitto's own C client publishing each line it reads as one
    QoS 1 message to the device's topic, with up to INFLIGHT messages awaiting PUBACK. At
    the end of its input it waits for the PUBACK of its last message, then exits 0."""
    return subprocess.Popen(
        [
            *(MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-l"),
            *("-M", str(INFLIGHT), "-i", f"bench-{credential['username']}"),
            *("-u", credential["username"], "-P", credential["password"]),
            *("-t", credential["topic"]),
        ],
        stdin=subprocess.PIPE,
        bufsize=0,
    )


def _feed(publisher: subprocess.Popen, count: int, rate: float | None = None) -> None:
    """Hand the publisher `count` readings in the documented payload shape, each stamped
    with the time it is handed over (at most a pipe's worth ahead of its publish, so the
    measured lag can only be longer than the real one); `rate` readings/s, else at once."""
    line = '{"ts": "%s", "seq": %d, "metrics": {"temperature_c": 21.5, "helium_level_pct": 80}}\n'
    began = time.perf_counter()
    for first in range(0, count, FEED_CHUNK):
        if rate:
            ahead = began + first / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        chunk = "".join(line % (now, seq) for seq in range(first, min(first + FEED_CHUNK, count)))
        publisher.stdin.write(chunk.encode())
    publisher.stdin.close()


def _ingest_path_only(devices: list[uuid.UUID], count: int = 20_000) -> dict:
    """The ingest's own work without a broker: parse and validate `count` payloads and COPY
    them in batches of 5,000, in one process."""
    from services.telemetry.ingest import Batch, Directory, connect

    con = connect()
    owners = {
        d: con.execute("SELECT tenant_id FROM equipment WHERE id = %s", (d,)).fetchone()[0]
        for d in devices
    }
    messages = []
    for seq in range(count):
        device = devices[seq % len(devices)]
        body = {
            "ts": datetime.now(UTC).isoformat(),
            "seq": 10_000_000 + seq,
            "metrics": {"temperature_c": 21.5, "helium_level_pct": 80},
        }
        topic = f"tenants/{owners[device]}/devices/{device}/telemetry"
        messages.append((topic, json.dumps(body).encode()))
    batch, started = Batch(Directory()), time.perf_counter()
    for topic, payload in messages:
        batch.add(con, topic, payload)
        if len(batch) >= 5000:
            batch.flush(con)
    batch.flush(con)
    elapsed = time.perf_counter() - started
    con.close()
    return {
        "readings": count,
        "seconds": round(elapsed, 2),
        "readingsPerSecond": round(count / elapsed),
        "loadAverage": os.getloadavg(),
        "method": "in one process: JSON parse, schema check, COPY in batches of 5,000 into "
        "the readings table (each (device, ts, seq) new); no broker",
    }


def _stored(devices: list[uuid.UUID]) -> int:
    from sqlalchemy import text

    from services.db import system_session

    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM telemetry_reading WHERE device_id = ANY(:d)"),
            {"d": devices},
        ).scalar_one()


def _wait_stored(total: int, started: float, devices: list[uuid.UUID]) -> float:
    """Seconds until every reading is stored, or until WAIT_S (then what was stored counts)."""
    last, changed = -1, time.perf_counter()
    while time.perf_counter() - started < WAIT_S:
        stored = _stored(devices)
        if stored >= total:
            break
        if stored != last:
            last, changed = stored, time.perf_counter()
        time.sleep(0.05)
    return (time.perf_counter() if _stored(devices) >= total else changed) - started


def _ingest(client_id: str, env: dict) -> subprocess.Popen:
    """An ingest worker as `make run` starts it; `.subscribed` is set once the broker
    confirmed its subscription."""
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.telemetry", "--client-id", client_id, "--shared"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.subscribed = threading.Event()

    def follow() -> None:
        for line in process.stderr:
            sys.stderr.write(line)
            if "subscribed to" in line:
                process.subscribed.set()

    threading.Thread(target=follow, daemon=True).start()
    return process


def _run() -> dict:
    from app.cli import migrate
    from bench.run import ROOT as _root  # noqa: F401
    from services.telemetry.broker import write_mosquitto_files
    from tests.telemetry.brokers import free_port

    migrate()
    devices = _devices(2 * PUBLISHERS)  # four for each run, so each is counted on its own
    credentials = _credentials(devices)
    directory = ROOT / "var" / f"bench-mosquitto-{uuid.uuid4().hex[:6]}"
    port = free_port()
    broker = subprocess.Popen(
        [MOSQUITTO, "-c", str(write_mosquitto_files(directory)), "-p", str(port)]
    )
    env = {**os.environ, "MQTT_URL": f"mqtt://127.0.0.1:{port}"}
    ingests = [_ingest(f"bench-ingest-{i}", env) for i in range(INGEST_WORKERS)]
    try:
        for process in ingests:
            # A reading published before any ingest subscribed would go to no one.
            assert process.subscribed.wait(120), "an ingest worker never subscribed"
        figures = _publish(port, credentials[:PUBLISHERS], devices[:PUBLISHERS], None)
        paced = _publish(
            port,
            credentials[PUBLISHERS:],
            devices[PUBLISHERS:],
            PACED_RATE,
        )
        figures["pacedAtGoal"] = {
            k: paced["ingest"][k]
            for k in ("sent", "stored", "lost", "duplicated", "lagP50Ms", "lagP99Ms", "lagMaxMs")
        } | {
            "offeredReadingsPerSecond": PACED_RATE,
            "method": f"the same path with the {PUBLISHERS} publishers together offering "
            f"{PACED_RATE:,} readings/s for {PACED_SECONDS} s (each its share, evenly paced)",
        }
    finally:
        for process in (*ingests, broker):
            process.terminate()
            process.wait(10)
        shutil.rmtree(directory, ignore_errors=True)
    figures["ingestPathOnly"] = _ingest_path_only(devices[:PUBLISHERS])
    return figures


def _publish(port: int, credentials: list[dict], devices: list, rate: float | None) -> dict:
    """One run: the publishers send their readings (at `rate` readings/s together, else as
    fast as they can) and the figures are taken once every reading is stored."""
    per_publisher = PER_PUBLISHER if rate is None else int(rate * PACED_SECONDS) // PUBLISHERS
    publishers = [_publisher(port, c) for c in credentials]
    try:
        time.sleep(1)  # they connect; each reads its input only once the broker accepted it
        share = rate / len(publishers) if rate else None
        feeders = [
            threading.Thread(target=_feed, args=(p, per_publisher, share), daemon=True)
            for p in publishers
        ]
        total = len(publishers) * per_publisher
        started = time.perf_counter()
        for f in feeders:
            f.start()
        elapsed = _wait_stored(total, started, devices)
        acked = sum(per_publisher for p in publishers if p.wait(30) == 0)
        time.sleep(1)
        return _figures(total, acked, elapsed, devices)
    finally:
        for process in publishers:
            process.terminate()
            process.wait(10)


def _figures(total: int, acked: int, elapsed: float, devices: list[uuid.UUID]) -> dict:
    from sqlalchemy import text

    from services.db import system_session
    from workers.telemetry import BATCH_SIZE, BATCH_WAIT_S

    with system_session() as db:
        row = db.execute(
            text(
                "SELECT count(*) AS n, count(DISTINCT (device_id, seq)) AS distinct_n,"
                " percentile_cont(0.5) WITHIN GROUP (ORDER BY received_at - ts) AS p50,"
                " percentile_cont(0.99) WITHIN GROUP (ORDER BY received_at - ts) AS p99,"
                " max(received_at - ts) AS worst FROM telemetry_reading WHERE device_id = ANY(:d)"
            ),
            {"d": devices},
        ).one()
        quarantined = db.execute(
            text("SELECT count(*) FROM telemetry_quarantine WHERE device_id = ANY(:d)"),
            {"d": devices},
        ).scalar_one()

    ms = lambda d: round(d.total_seconds() * 1000, 1)  # noqa: E731
    return {
        "ingest": {
            "publishers": PUBLISHERS,
            "ingestWorkers": INGEST_WORKERS,
            "sent": total,
            "acknowledgedByBroker": acked,
            "stored": row.n,
            "lost": max(0, acked - row.distinct_n),
            "duplicated": row.n - row.distinct_n,
            "quarantined": quarantined,
            "seconds": round(elapsed, 2),
            "readingsPerSecond": round(row.distinct_n / elapsed),
            "goalReadingsPerSecond": 20_000,
            "lagP50Ms": ms(row.p50),
            "lagP99Ms": ms(row.p99),
            "lagMaxMs": ms(row.worst),
            "loadAverage": os.getloadavg(),
            "method": (
                f"{PUBLISHERS} publishers (mosquitto_pub -l: one QoS 1 message per reading, "
                f"{INFLIGHT} in flight each, one device and credential each) -> Mosquitto 2.0 "
                "configured by the platform (passwd + ACL, unbounded queues) -> "
                f"{INGEST_WORKERS} ingest workers on a shared subscription (reading 64 KiB at a "
                "time and cutting out the PUBLISH packets, paho keeping the session; batches of "
                f"up to {BATCH_SIZE:,} or {BATCH_WAIT_S * 1000:.0f} ms, COPY straight into the "
                "readings table unless a reading is stored already, then through a staging "
                "table that skips it; PUBACK after commit) -> PostgreSQL daily partitions. Throughput: first reading handed to a "
                "publisher to the last row committed. Lag: the reading's ts (set when handed to "
                "its publisher) to its row's received_at (its transaction's start). "
                "acknowledgedByBroker counts the readings of publishers that exited after the "
                "PUBACK of their last message. The 2 cores were shared with other work (load "
                "average recorded)."
            ),
        }
    }


def main() -> None:
    from bench.run import bench_database, write_result

    with bench_database():
        figures = _run()
    write_result("telemetry.json", figures)


if __name__ == "__main__":
    main()
