"""`POST /api/v1/predict` latency with the failure model in memory (goal: p95 under 20 ms),
through the in-process API as the tests call it, for a demo MRI with 14 days of simulated
readings at one a minute (rolled up by hour, as the ingest does), and the service call
alone (no HTTP). Also: the time to load the shipped model, its held-out figures, and the
machine's load average while measuring (the machine is shared). Writes bench/results/telemetry_predict.json.
Run alone with `python -m bench.telemetry_predict`."""

from __future__ import annotations

import os
import time
from datetime import timedelta

CALLS = 400


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {"n": len(samples), "p50Ms": pick(0.5), "p95Ms": pick(0.95), "p99Ms": pick(0.99)}


def _service_latency(device) -> dict:
    """The same answer without HTTP: session, readings, features and model."""
    from services.actor import Actor, Role, TenantKind
    from services.db import system_session, tenant_session
    from services.devices.models import Equipment
    from services.telemetry.preemptive import predict

    with system_session() as db:
        owner = db.get(Equipment, device).tenant_id
    actor = Actor(None, owner, TenantKind.HOSPITAL_CHAIN, frozenset({Role.BUYER_ADMIN}), "bench")
    samples = []
    for _ in range(CALLS):
        start = time.perf_counter()
        with tenant_session(actor) as db:
            predict(db, actor, device)
        samples.append(time.perf_counter() - start)
    return _percentiles(samples)


def run() -> dict:
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from app.api import create_api
    from services.actor import Role
    from services.columns import utcnow
    from services.db import system_session
    from services.seed.demo import demo_email
    from services.telemetry import prediction
    from services.telemetry.demo import load_readings, roll_up_since
    from services.telemetry.simulator import DeviceProfile

    started = time.perf_counter()
    model = prediction.load_model()
    load_s = time.perf_counter() - started
    now = utcnow()
    with system_session() as db:
        device = db.execute(
            text("SELECT id FROM equipment WHERE serial_number = 'MVI-MR15-24-000117'")
        ).scalar_one()
        profile = DeviceProfile("MRI", 99, now + timedelta(days=6), 35.0)
        rows = load_readings(db, device, profile, now - timedelta(days=14), now, 60.0)
    roll_up_since(now - timedelta(days=14, hours=1), now)
    client = TestClient(create_api())
    login = {"username": demo_email(Role.BUYER_ADMIN), "password": "yantra-demo"}
    token = client.post("/api/v1/auth/token", data=login).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"deviceId": str(device)}
    for _ in range(20):  # warm the pool and the model
        answer = client.post("/api/v1/predict", json=body, headers=headers)
        assert answer.status_code == 200, answer.text
    samples = []
    for _ in range(CALLS):
        start = time.perf_counter()
        client.post("/api/v1/predict", json=body, headers=headers)
        samples.append(time.perf_counter() - start)
    service = _service_latency(device)
    return {
        "predict": {**_percentiles(samples), "goalP95Ms": 20},
        "serviceOnly": service,
        "loadAverage1m": round(os.getloadavg()[0], 2),
        "readingsBehindOneDevice": rows,
        "lastAnswer": answer.json(),
        "modelLoadSeconds": round(load_s, 3),
        "model": {
            "version": model.version,
            "threshold": model.threshold,
            "heldOut": {k: v for k, v in model.meta["metrics"].items() if k != "byType"},
        },
    }


def main() -> None:
    from bench.run import bench_database, write_result

    with bench_database():
        from app.cli import prepare

        prepare()
        figures = run()
    write_result("telemetry_predict.json", figures)


if __name__ == "__main__":
    main()
