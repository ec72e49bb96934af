"""The lab's interface engine: ORU^R01 messages (13 segments, 10 OBX) through MLLP.

1. To ACK: 4 connections, each sending a message and waiting for its ACK before the next
   (how most analyzers talk); then the same with 8 messages in flight per connection.
   Every ACK follows a durable commit (synchronous_commit on), so the figures are bounded
   by the disk's flush time, measured here too. Goal: ≥ 1,000 msg/s, p99 ACK < 50 ms.
2. To result rows: the processor draining what was stored. Goal: ≥ 300 msg/s.
The listener runs as its own process (`python -m workers.mllp`), as under `make run`.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid

CONNECTIONS = 4
SEQUENTIAL_PER_CONNECTION = 600
WINDOW = 8
PIPELINED_PER_CONNECTION = 1200
PROCESS_LIMIT = 3000


async def _connection(
    port: int, sender: str, prefix: str, count: int, window: int, latencies: list[float]
) -> None:
    """Sends `count` messages, `window` at a time, recording each one's time to its ACK
    (ACKs come back in order on a connection)."""
    from services.lab.mllp import FrameReader, frame
    from tests.lab.messages import msa, oru

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    frames, pending = FrameReader(), []
    for start in range(0, count, window):
        batch = [f"{prefix}-{n}" for n in range(start, min(count, start + window))]
        sent = time.perf_counter()
        writer.write(b"".join(frame(oru(c, sender=sender)) for c in batch))
        await writer.drain()
        for _ in batch:
            while not pending:
                pending += [
                    e for e in frames.feed(await reader.read(65536)) if isinstance(e, bytes)
                ]
            ack = pending.pop(0).decode()
            assert msa(ack)[0] == "AA", ack
            latencies.append(time.perf_counter() - sent)
    writer.close()


async def _stream(port: int, sender: str, per_connection: int, window: int) -> dict:
    per_conn_latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    tag = uuid.uuid4().hex[:6]
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _connection(port, sender, f"{tag}-{n}", per_connection, window, per_conn_latencies[n])
            for n in range(CONNECTIONS)
        )
    )
    elapsed = time.perf_counter() - start
    latencies = sorted(x for conn in per_conn_latencies for x in conn)
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    total = CONNECTIONS * per_connection
    return {
        "messages": total,
        "connections": CONNECTIONS,
        "inFlightPerConnection": window,
        "seconds": round(elapsed, 2),
        "ackedPerSecond": round(total / elapsed, 1),
        "ackP50Ms": round(pick(0.50) * 1000, 2),
        "ackP99Ms": round(pick(0.99) * 1000, 2),
    }


def _commit_latency_ms() -> float:
    import psycopg

    from services.lab.store import libpq_url

    with psycopg.connect(libpq_url(), autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE flush_probe (x int)")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_flush_probe (x int)")
        start = time.perf_counter()
        for _ in range(50):
            conn.execute("INSERT INTO bench_flush_probe VALUES (1)")
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bench_flush_probe")
    return round(elapsed / 50 * 1000, 2)


def _set_up_channel(sender: str) -> None:
    from sqlalchemy import text

    from services.db import system_session

    with system_session() as db:
        tenant = db.execute(
            text(
                "INSERT INTO tenant (name, kind, tier) VALUES ('Bench Lab', 'lab_chain', "
                "'standard') RETURNING id"
            )
        ).scalar_one()
        db.execute(
            text(
                "INSERT INTO lab_channel (tenant_id, name, sending_application) "
                "VALUES (:t, 'Bench XN', :s)"
            ),
            {"t": tenant, "s": sender},
        )


def _process(limit: int) -> dict:
    from sqlalchemy import text

    from services.db import system_session
    from services.lab.processor import process_waiting

    start, done = time.perf_counter(), 0
    while done < limit:
        taken = process_waiting(min(500, limit - done))
        if not taken:
            break
        done += taken
    elapsed = time.perf_counter() - start
    with system_session() as db:
        rows = db.execute(text("SELECT count(*) FROM lab_result")).scalar()
    return {
        "messages": done,
        "seconds": round(elapsed, 2),
        "processedPerSecond": round(done / elapsed, 1),
        "resultRows": rows,
        "resultRowsPerSecond": round(rows / elapsed, 1),
    }


def run() -> dict:
    from tests.lab.fixtures import Listener

    sender = f"BENCH-{uuid.uuid4().hex[:6]}"
    _set_up_channel(sender)
    listener = Listener("mllp").start()
    try:
        one_at_a_time = asyncio.run(_stream(listener.port, sender, SEQUENTIAL_PER_CONNECTION, 1))
        pipelined = asyncio.run(_stream(listener.port, sender, PIPELINED_PER_CONNECTION, WINDOW))
    finally:
        listener.stop()
    return {
        "toAck": {
            "oneAtATime": one_at_a_time,
            "pipelined": pipelined,
            "goalPerSecond": 1000,
            "goalP99Ms": 50,
        },
        "toResults": _process(PROCESS_LIMIT) | {"goalPerSecond": 300},
        "durableCommitMs": _commit_latency_ms(),
        "message": "ORU^R01, 13 segments (MSH, PID, OBR, 10 OBX)",
        "loadAverage": list(os.getloadavg()),
    }


def main() -> None:
    from app.cli import migrate
    from bench.run import bench_database, write_result

    with bench_database():
        migrate()
        figures = run()
    write_result("lab.json", figures)


if __name__ == "__main__":
    main()
