"""Catalog search figures: p50/p95/p99 over 50,000 demo SKUs, written to
bench/results/catalog.json.

Runs against a database of its own (created, migrated, seeded, then dropped) on the
machine's PostgreSQL when reachable, else the embedded one. The catalog is the demo
generator's (services/catalog/demo.py): 50,000 SKUs over the two demo OEMs and ten more
invented ones.

Two measurements, both of a fixed mix of buyer searches (plain words, typos, codes,
facet selections, browsing, second pages through the cursor):
- "http": through the REST API as the platform serves it (one Granian worker in a process
  of its own, as bench/geo.py runs it), one client at a time, so the figure is a buyer's
  wait including HTTP, JSON and the token check; then four clients at once.
- "service": `search_skus` called in this process on one session, the database work and
  the shaping of the answer without HTTP.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
TOTAL_SKUS = 50_000
ROUNDS = 20  # passes over the query mix per measurement
WARMUP_ROUNDS = 3
CONCURRENT_CLIENTS = 4

# What buyers type: words, prefixes, typos, spelling variants, model details.
QUERIES = (
    "ventilator",
    "ventilater",
    "ultrasond",
    "hematology analyzer",
    "mri 1.5t",
    "ct scanner 128",
    "patient monitor",
    "portable ultrasound",
    "defib",
    "infusion pump",
    "oxygen concentrator",
    "icu bed",
    "biochemistry",
    "c-arm",
    "anaesthesia workstation",
    "colour doppler",
    "aurora mri",
    "syringe",
    "x-ray 50",
    "dialysis",
)


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)  # noqa: E731
    return {
        "n": len(samples),
        "p50Ms": pick(0.50),
        "p95Ms": pick(0.95),
        "p99Ms": pick(0.99),
        "meanMs": round(statistics.mean(samples) * 1000, 2),
        "maxMs": pick(1.0),
    }


def load_catalog(total: int = TOTAL_SKUS) -> dict:
    """Add ten invented OEMs beside the demo ones and `total` demo SKUs over all of them."""
    from services.catalog.demo import DEMO_OEMS, demo_catalog
    from services.catalog.importer import upsert_skus
    from services.db import system_session

    with system_session() as db:
        oems = [
            (row.id, prefix)
            for row, (_name, prefix) in zip(
                db.execute(text("SELECT id FROM tenant WHERE kind = 'oem' ORDER BY name")).all(),
                DEMO_OEMS,
                strict=False,
            )
        ]
        for name, prefix in DEMO_OEMS[len(oems) :]:
            tenant_id = uuid.uuid4()
            db.execute(
                text(
                    "INSERT INTO tenant (id, name, kind, tier, state) "
                    "VALUES (:i, :n, 'oem', 'standard', 'Maharashtra')"
                ),
                {"i": tenant_id, "n": f"{name} (bench)"},
            )
            oems.append((tenant_id, prefix))
    by_oem: dict[uuid.UUID, list[dict]] = {}
    for tenant_id, sku in demo_catalog(oems, total, seed=2026):
        by_oem.setdefault(tenant_id, []).append(sku)
    started = time.perf_counter()
    created = 0
    with system_session() as db:
        for tenant_id, skus in by_oem.items():
            created += upsert_skus(db, tenant_id, skus)[0]
        db.execute(text("ANALYZE sku"))
    with system_session() as db:
        count = db.execute(text("SELECT count(*) FROM sku WHERE is_active")).scalar_one()
    return {
        "oems": len(oems),
        "skusAdded": created,
        "activeSkus": count,
        "loadSeconds": round(time.perf_counter() - started, 1),
    }


def query_mix(oem_ids: list[str], codes: list[str]) -> list[dict]:
    """Search parameters in the proportions buyers use them: mostly words, some with facets,
    some codes, some browsing by category."""
    rng = random.Random(5)
    mix: list[dict] = [{"q": q} for q in QUERIES]
    mix += [{"q": q, "riskClass": "C"} for q in ("ventilator", "infusion", "monitor")]
    mix += [
        {"q": "ultrasound", "priceBand": "10l_1cr"},
        {"q": "analyzer", "oemId": oem_ids[2]},
        {"q": "mri", "priceBand": "over_1cr", "riskClass": "C"},
    ]
    mix += [{"q": code} for code in rng.sample(codes, 5)]
    mix += [
        {},
        {"category": "Ultrasound"},
        {"category": "Ventilator", "riskClass": "C"},
        {"oemId": oem_ids[0], "priceBand": "1l_10l"},
    ]
    return mix


def _sample_ids() -> tuple[list[str], list[str]]:
    from services.db import system_session

    with system_session() as db:
        oems = [
            str(i)
            for i in db.execute(
                text("SELECT DISTINCT tenant_id FROM sku ORDER BY tenant_id")
            ).scalars()
        ]
        codes = list(
            db.execute(text("SELECT code FROM sku ORDER BY md5(code) LIMIT 200")).scalars()
        )
    return oems, codes


def _service_latency(actor, mix: list[dict]) -> dict:
    """search_skus in-process: each search, then its second page through the cursor."""
    from services.catalog.search import Filters, search_skus
    from services.db import tenant_session

    def run(params: dict) -> None:
        filters = Filters(
            categories=tuple(filter(None, [params.get("category")])),
            risk_classes=tuple(filter(None, [params.get("riskClass")])),
            oem_ids=tuple(uuid.UUID(i) for i in filter(None, [params.get("oemId")])),
            price_bands=tuple(filter(None, [params.get("priceBand")])),
        )
        with tenant_session(actor) as db:
            page = search_skus(db, params.get("q"), filters, first=20)
        if page.has_next_page:
            with tenant_session(actor) as db:
                search_skus(db, params.get("q"), filters, first=20, after=page.end_cursor)

    samples = []
    for n in range(ROUNDS + WARMUP_ROUNDS):
        for params in mix:
            started = time.perf_counter()
            run(params)
            if n >= WARMUP_ROUNDS:
                samples.append((time.perf_counter() - started) / 2)
    return _percentiles(samples) | {"note": "mean of a first page and its second page"}


async def _http_run(base: str, headers: dict, mix: list[dict], clients: int) -> dict:
    """`clients` buyers each running the mix ROUNDS times in their own order; every search
    with a second page is followed through its cursor."""
    import httpx

    samples: list[float] = []
    matches: list[int] = []
    errors = 0

    async def timed(http, params: dict) -> dict | None:
        nonlocal errors
        started = time.perf_counter()
        response = await http.get("/api/v1/skus/search", params=params)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            errors += 1
            return None
        samples.append(elapsed)
        body = response.json()
        matches.append(body["total"])
        return body

    async def client(worker: int) -> None:
        order = list(mix)
        random.Random(worker).shuffle(order)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
            for n in range(ROUNDS + WARMUP_ROUNDS):
                if n == WARMUP_ROUNDS:
                    samples.clear()
                    matches.clear()
                for params in order:
                    body = await timed(http, params)
                    if body and body["pageInfo"]["hasNextPage"]:
                        await timed(http, params | {"after": body["pageInfo"]["endCursor"]})

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.perf_counter() - started
    return _percentiles(samples) | {
        "clients": clients,
        "errors": errors,
        "searchesPerSecond": round(len(samples) / wall, 1),
        "medianMatches": int(statistics.median(matches)),
    }


def _http_latency(mix: list[dict]) -> dict:
    from bench.geo import _free_port, _serve, bearer

    port = _free_port()
    proc = _serve(port)
    try:
        base = f"http://127.0.0.1:{port}"
        headers = bearer(base, "buyer_user@demo.yantra.in")
        return {
            "oneClient": asyncio.run(_http_run(base, headers, mix, 1)),
            f"{CONCURRENT_CLIENTS}Clients": asyncio.run(
                _http_run(base, headers, mix, CONCURRENT_CLIENTS)
            ),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run() -> dict:
    """Load the catalog into the current database, then measure."""
    from services.identity.service import authenticate

    loaded = load_catalog()
    oems, codes = _sample_ids()
    mix = query_mix(oems, codes)
    actor = authenticate("buyer_user@demo.yantra.in", "yantra-demo")
    return {
        "catalog": loaded,
        "queriesInMix": len(mix),
        "mix": mix,
        "service": _service_latency(actor, mix),
        "http": _http_latency(mix),
        "goal": "p95 under 30 ms over 50,000 SKUs",
    }


def main() -> None:
    from bench.run import bench_database, write_result

    with bench_database():
        from app.cli import prepare

        prepare()
        figures = run()
    write_result("catalog.json", figures)


if __name__ == "__main__":
    main()
