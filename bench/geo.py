"""Directory figures: CSV import rate, and nearby search over the 36,000-facility directory
through the HTTP API with 20 concurrent clients.

The API runs as the platform serves it (one Granian worker, as `reflex run --env prod`
starts it on this machine without Redis), in a process of its own; the clients run in
this process with httpx, on the same two cores. Two runs: "paced", 20 clients each
searching five times a second (100 searches a second, more than a control room of
twenty people types), and "saturated", each client sending its next search the moment
the last is answered, which measures the ceiling rather than a user's wait.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 20
REQUESTS = 6000
WARMUP = 300
PER_CLIENT_RATE = 5.0  # searches a second per client when paced: 100 a second in all
PACED_SECONDS = 60
RADII_KM = (2, 5, 10, 20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def import_rate(total: int = 36_000) -> dict:
    """Time a directory CSV of `total` rows (demo generator, another seed) through the
    importer; then the same file again (every row an update)."""
    from services.db import tenant_session
    from services.geo.demo_directory import build_directory
    from services.geo.importer import import_directory
    from services.geo.pincodes import read_package_rows
    from tests.factories import platform_admin

    built = build_directory(read_package_rows(), seed=99, total=total)
    labs = {lab["facility_external_id"]: lab for lab in built.laboratories}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "external_id",
            "name",
            "address",
            "pincode",
            "facility_type",
            "bed_count",
            "specialties",
            "accreditations",
            "ownership",
            "latitude",
            "longitude",
            "phone",
            "email",
            "equipment",
            "lab_type",
            "test_categories",
        ]
    )
    for f in built.facilities:
        lab = labs.get(f["external_id"], {})
        writer.writerow(
            [
                f"BENCH-{f['external_id']}",
                f["name"],
                f["address"],
                f["pincode"],
                f["facility_type"],
                f["bed_count"] or "",
                ";".join(f["specialties"]),
                ";".join(f["accreditations"]),
                f["ownership"],
                f["latitude"],
                f["longitude"],
                f["contact_info"].get("phone", ""),
                f["contact_info"].get("email", ""),
                ";".join(f"{k}:{v}" for k, v in f["equipment"].items()),
                lab.get("lab_type", ""),
                ";".join(lab.get("test_categories", [])),
            ]
        )
    data = out.getvalue().encode()
    actor = platform_admin()
    figures = {}
    for run in ("firstImport", "reimport"):
        started = time.perf_counter()
        with tenant_session(actor) as db:
            report = import_directory(db, actor, data)
        seconds = time.perf_counter() - started
        figures[run] = {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "failed": report.failed,
            "laboratories": report.laboratories,
            "seconds": round(seconds, 2),
            "rowsPerSecond": round(report.rows / seconds),
        }
    figures["fileMB"] = round(len(data) / 2**20, 1)
    return figures


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "app.api:create_api",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the API did not start")


async def _load(
    base: str, headers: dict, points: list[tuple[float, float]], per_client_rate: float | None
) -> dict:
    """20 clients searching around random facility locations. With `per_client_rate`,
    each client sends on its own schedule (Poisson arrivals at that rate) and latency is
    counted from the scheduled moment, so a slow answer also delays the next one's
    count; without it, each sends as soon as its last search is answered."""
    import httpx

    rng = random.Random(11)
    total = REQUESTS if per_client_rate is None else int(PACED_SECONDS * per_client_rate * CLIENTS)
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0

    async def client(worker: int) -> None:
        nonlocal errors
        mine = random.Random(worker)
        count = total // CLIENTS + WARMUP // CLIENTS
        due = time.perf_counter()
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
            for n in range(count):
                lat, lng = rng.choice(points)
                if per_client_rate:
                    due += mine.expovariate(per_client_rate)
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                started = due if per_client_rate else time.perf_counter()
                response = await http.get(
                    "/api/v1/geo/healthcare-facilities/nearby",
                    params={
                        "latitude": lat,
                        "longitude": lng,
                        "radius": mine.choice(RADII_KM),
                        "limit": 20,
                    },
                )
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    errors += 1
                elif n >= WARMUP // CLIENTS:
                    latencies.append(elapsed)
                    sizes.append(len(response.json()["facilities"]))

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)  # noqa: E731
    return {
        "clients": CLIENTS,
        "requests": len(latencies),
        "errors": errors,
        "offeredPerSecond": None if per_client_rate is None else CLIENTS * per_client_rate,
        "p50Ms": pick(0.50),
        "p95Ms": pick(0.95),
        "p99Ms": pick(0.99),
        "meanMs": round(statistics.mean(latencies) * 1000, 2),
        "requestsPerSecond": round((len(latencies) + WARMUP) / wall),
        "meanResults": round(statistics.mean(sizes), 1),
        "radiiKm": list(RADII_KM),
    }


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children (Granian runs a worker)."""
    total = 0.0
    for child in [pid, *_children(pid)]:
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for c in found for g in _children(c)]


def bearer(base: str, username: str) -> dict:
    """Authorization headers of a demo user, signed in over HTTP."""
    body = urllib.parse.urlencode({"username": username, "password": "yantra-demo"}).encode()
    with urllib.request.urlopen(f"{base}/api/v1/auth/token", data=body) as response:
        return {"Authorization": f"Bearer {json.load(response)['access_token']}"}


def nearby_latency() -> dict:
    """p50/p95/p99 of nearby searches around real facility locations (metros and towns),
    20 clients at once, through HTTP."""
    from services.db import system_session

    with system_session() as db:
        facilities = db.execute(text("SELECT count(*) FROM healthcare_facilities")).scalar_one()
        points = [
            tuple(r)
            for r in db.execute(
                text(
                    "SELECT latitude, longitude FROM healthcare_facilities TABLESAMPLE SYSTEM (20)"
                )
            )
        ]
    port = _free_port()
    proc = _serve(port)
    try:
        base = f"http://127.0.0.1:{port}"
        headers = bearer(base, "buyer_user@demo.yantra.in")
        figures = {}
        for name, rate in (("paced", PER_CLIENT_RATE), ("saturated", None)):
            cpu_before = _cpu_seconds(proc.pid)
            run = asyncio.run(_load(base, headers, points, rate))
            run["serverCpuMsPerRequest"] = round(
                (_cpu_seconds(proc.pid) - cpu_before) * 1000 / (run["requests"] + WARMUP), 2
            )
            figures[name] = run
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"facilities": facilities, **figures}
