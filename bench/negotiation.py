"""Coach tip latency through the API: `POST /rfqs/{id}/suggest-counter-offer`, which reads
the thread and the quote, asks the price-band model and posts the tip into the room."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


def tip_latency(client, n: int = 200) -> dict:
    from bench.run import _percentiles

    def login(user: str) -> dict:
        token = client.post(
            "/api/v1/auth/token",
            data={"username": f"{user}@demo.yantra.in", "password": "yantra-demo"},
        ).json()
        return {"Authorization": f"Bearer {token['access_token']}"}

    buyer, oem = login("buyer_admin"), login("oem_admin")
    buyer_id = client.get("/api/v1/me", headers=buyer).json()["tenantId"]
    oem_id = client.get("/api/v1/me", headers=oem).json()["tenantId"]
    rfq = client.post(
        "/api/v1/rfqs",
        headers=buyer,
        json={
            "buyerId": buyer_id,
            "items": [{"sku": "MVI-PM12", "qty": 12}, {"sku": "MVI-DR2", "qty": 1}],
            "expiresAt": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "deliveryPincode": "110029",
            "oemIds": [oem_id],
        },
    ).json()["rfqId"]
    client.post(
        f"/api/v1/rfqs/{rfq}/quotes",
        headers=oem,
        json={
            "lines": [
                {"item": "MVI-PM12", "unitPricePaise": 3_85_000_00},
                {"item": "MVI-DR2", "unitPricePaise": 42_00_000_00},
            ],
            "validUntil": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
            "leadTimeDays": 30,
            "warrantyYears": 2,
            "cmcYears": 3,
            "cmcAnnualPaise": 2_00_000_00,
        },
    ).raise_for_status()
    url = f"/api/v1/rfqs/{rfq}/suggest-counter-offer"
    client.post(url, headers=buyer, json={"oemId": oem_id}).raise_for_status()  # model loaded
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.post(url, headers=buyer, json={"oemId": oem_id})
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return {
        **_percentiles(samples),
        "lines": 2,
        "path": "HTTP in-process (TestClient): token check, RLS transaction, thread and "
        "quote reads, model inference, tip written to the room",
    }


def main() -> None:
    """Alone: `python -m bench.negotiation` writes bench/results/negotiation.json."""
    from fastapi.testclient import TestClient

    from app.api import create_api
    from app.cli import prepare
    from bench.run import bench_database, write_result

    with bench_database():
        prepare()
        figures = {"coachTipApi": tip_latency(TestClient(create_api()), 500)}
    write_result("negotiation.json", figures)


if __name__ == "__main__":
    main()
