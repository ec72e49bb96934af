"""`make bench`: platform-foundation figures on this machine, written to bench/results/.

Runs against a database of its own (created, migrated, seeded, then dropped) on the
machine's PostgreSQL when reachable, else the embedded one.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memoryGiB": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(samples),
        "p50Ms": round(pick(0.50) * 1000, 2),
        "p95Ms": round(pick(0.95) * 1000, 2),
        "meanMs": round(statistics.mean(samples) * 1000, 2),
    }


def _timed(fn, n: int) -> dict:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return _percentiles(samples)


@contextmanager
def bench_database():
    """A database of its own for one benchmark (the machine's PostgreSQL when reachable,
    else the embedded one), dropped at the end."""
    from app.embedded import ensure_database, port_open, start_postgres

    server = (
        "postgresql://postgres@127.0.0.1:5432/postgres"
        if port_open("127.0.0.1", 5432)
        else start_postgres(ROOT / "var" / "pg", 54329)
    )
    name = f"yantra_bench_{uuid.uuid4().hex[:8]}"
    os.environ["DATABASE_URL"] = ensure_database(server, name)
    os.environ.setdefault("TOKEN_SIGNING_KEY", "bench-signing-key-0123456789abcdef0123456789")
    os.environ.setdefault("QR_SIGNING_KEYS", "1:bench-qr-signing-key-0123456789")
    os.environ["DEMO_PASSWORD"] = "yantra-demo"
    os.environ["CELERY_QUEUE"] = f"yantra-bench-{uuid.uuid4().hex[:6]}"
    from services.settings import get_settings

    get_settings.cache_clear()
    try:
        yield
    finally:
        import psycopg

        from services.db import reset_engines

        reset_engines()
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_result(filename: str, figures: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / filename
    out.write_text(
        json.dumps(
            {
                "measuredAt": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": _machine(),
                "figures": figures,
            },
            indent=2,
        )
        + "\n"
    )
    print(out.read_text())


def main() -> None:
    """Every benchmark in turn: platform, live pages, catalog, pricing, dispatch (metro day,
    Solomon)."""
    with bench_database():
        figures = _run()
    write_result("platform.json", figures)
    from bench import catalog, dispatch_metro, field_app, field_sync, live, pricing, solomon

    live.main()
    field_app.main()
    field_sync.main()
    catalog.main()
    pricing.main()
    from bench import telemetry_predict

    telemetry_predict.main()
    from bench import telemetry

    telemetry.main()
    from bench import lab

    lab.main()
    from bench import whatsapp

    whatsapp.main()
    dispatch_metro.main()
    solomon.main([])


def _run() -> dict:
    import random

    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from app.api import create_api
    from app.cli import prepare
    from services.audit import service as audit
    from services.db import system_session, tenant_session
    from services.geo.pincodes import load_pincodes
    from services.identity.service import resolve_session, start_session
    from services.identity.tokens import verify_access_token

    started = time.perf_counter()
    prepare()
    prepare_s = time.perf_counter() - started
    started = time.perf_counter()
    with system_session() as db:
        load_pincodes(db)
    reload_s = time.perf_counter() - started

    client = TestClient(create_api())
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "dispatcher@demo.yantra.in", "password": "yantra-demo"},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with system_session() as db:
        pins = list(db.execute(text("SELECT pincode FROM indian_pincodes")).scalars())
    rng = random.Random(7)
    actor = verify_access_token(token)
    session_id = str(start_session(actor))

    def append_audit():
        with tenant_session(actor) as db:
            audit.record(db, actor, "bench.append", "bench", "1", "benchmark entry")

    from bench.devices import bulk_import

    oem = client.post(
        "/api/v1/auth/token",
        data={"username": "oem_admin@demo.yantra.in", "password": "yantra-demo"},
    ).json()["access_token"]
    oem_headers = {"Authorization": f"Bearer {oem}"}
    site = next(
        f
        for f in client.get("/api/v1/facilities", headers=oem_headers).json()["facilities"]
        if f["pincode"] == "110029"
    )
    oem_id = client.get("/api/v1/me", headers=oem_headers).json()["tenantId"]

    from bench.geo import import_rate, nearby_latency
    from bench.tickets import breach_lag, console_first_render

    nearby = nearby_latency()
    directory_import = import_rate()
    bulk = bulk_import(client, oem_headers, site["id"], oem_id)
    lag = breach_lag()
    from bench.negotiation import tip_latency

    tips = tip_latency(client)
    with system_session() as db:  # the console is measured with 5,000 open tickets
        db.execute(
            text(
                "UPDATE ticket SET status = 'cancelled' WHERE description = 'bench ticket'"
                " AND id NOT IN (SELECT id FROM ticket WHERE description = 'bench ticket'"
                " ORDER BY number LIMIT 5000)"
            )
        )
        open_now = db.execute(
            text(
                "SELECT count(*) FROM ticket WHERE status NOT IN "
                "('resolved', 'closed', 'cancelled')"
            )
        ).scalar_one()
    return {
        "nearbySearchHttp20Clients": nearby,
        "directoryCsvImport36k": directory_import,
        "bulkImport10kDevicesWithKit": bulk,
        "slaBreachDetection": lag,
        "opsConsoleFirstRender": console_first_render(open_now),
        "coachTipApi": tips,
        "prepareFreshDatabaseSeconds": round(prepare_s, 2),
        "reloadAllPincodesSeconds": round(reload_s, 2),
        "pincodeLookupApi": _timed(
            lambda: client.get(f"/api/v1/geo/pincodes/{rng.choice(pins)}", headers=headers), 500
        ),
        "facilitiesListApiUnderRls": _timed(
            lambda: client.get("/api/v1/facilities", headers=headers), 300
        ),
        "tokenIssueArgon2": _timed(
            lambda: client.post(
                "/api/v1/auth/token",
                data={"username": "dispatcher@demo.yantra.in", "password": "yantra-demo"},
            ),
            20,
        ),
        "browserSessionCheck": _timed(lambda: resolve_session(session_id), 300),
        "auditAppendTransaction": _timed(append_audit, 300),
    }


if __name__ == "__main__":
    main()
