"""WhatsApp intake: how fast the webhook answers, and how fast triage reads a report.

1. Webhook answer: signed Cloud API bodies (a text message each, as Meta sends them)
   POSTed to /api/v1/whatsapp/webhook in process; each is checked (HMAC-SHA256), stored
   and its processing queued before the 200. Goal: p99 < 50 ms.
2. Triage: the classifier on each held-out report (one message at a time, as the worker
   calls it), with its training time and held-out macro F1.
"""

from __future__ import annotations

import json
import secrets
import statistics
import time

POSTS = 400


def _body(n: int) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "102290129340398",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "106540352242922"},
                                "contacts": [{"wa_id": "919810099999", "profile": {"name": "B"}}],
                                "messages": [
                                    {
                                        "from": "919810099999",
                                        "id": f"wamid.bench{n}-{secrets.token_hex(8)}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": f"MRI not starting since morning #{n}"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(samples),
        "p50Ms": round(pick(0.50) * 1000, 2),
        "p95Ms": round(pick(0.95) * 1000, 2),
        "p99Ms": round(pick(0.99) * 1000, 2),
        "meanMs": round(statistics.mean(samples) * 1000, 2),
    }


async def _post(app, raw: bytes, signature: str) -> tuple[int, float]:
    """POST through the ASGI app as a server would; the time until the answer's last byte
    is handed to the server (work queued after the answer is not counted)."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
        (b"x-hub-signature-256", signature.encode()),
        (b"host", b"bench"),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/whatsapp/webhook",
        "raw_path": b"",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("bench", 80),
    }
    sent = {"body": False}
    result: dict = {}

    async def receive():
        if sent["body"]:
            return {"type": "http.disconnect"}
        sent["body"] = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            result.setdefault("done", time.perf_counter())

    start = time.perf_counter()
    await app(scope, receive, send)
    return result["status"], result["done"] - start


def webhook_answer() -> dict:
    import asyncio

    from app.api import create_api
    from services.settings import get_settings
    from services.whatsapp.webhook import sign

    app = create_api()
    samples = []

    async def run() -> None:
        for n in range(POSTS + 20):
            raw = _body(n)
            status, elapsed = await _post(app, raw, sign(raw))
            assert status == 200, status
            if n >= 20:  # the first requests warm the pools
                samples.append(elapsed)

    asyncio.run(run())
    broker = "redis" if get_settings().redis_url else "postgresql"
    return {**_ms(samples), "goalP99Ms": 50, "broker": broker}


def triage_latency() -> dict:
    from services.whatsapp import triage

    start = time.perf_counter()
    triage.train(triage.load("train"))
    trained = time.perf_counter() - start
    triage.model()
    reports = [r["text"] for r in triage.load("test")]
    samples = []
    for _ in range(5):
        for text in reports:
            start = time.perf_counter()
            triage.classify(text)
            samples.append(time.perf_counter() - start)
    quality = triage.evaluate(timing=False)
    return {
        **_ms(samples),
        "trainSeconds": round(trained, 2),
        "heldOutMacroF1": quality["macro_f1"],
        "perLanguageMacroF1": {k: v["macro_f1"] for k, v in quality["per_language"].items()},
    }


def main() -> None:
    from app.cli import migrate
    from bench.run import bench_database, write_result

    with bench_database():
        migrate()
        figures = {"webhookAnswer": webhook_answer(), "triage": triage_latency()}
    write_result("whatsapp.json", figures)


if __name__ == "__main__":
    main()
