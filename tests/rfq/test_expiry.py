"""RFQs expire at their time: by the task a real Celery worker runs at `expiresAt`, and
by a sweep that is safe to run again and again."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from sqlalchemy import text

from services.db import system_session
from services.rfq.expiry import expire_due
from tests.rfq.conftest import in_future, quote_body, raise_rfq, send_quote
from tests.workers import celery_running


def _state(rfq_id: str) -> tuple[str, list[str], list[str]]:
    """The RFQ's status, its quotes' statuses, and the names of its events."""
    with system_session() as db:
        status = db.execute(
            text("SELECT status FROM rfq WHERE id = :r"), {"r": rfq_id}
        ).scalar_one()
        quotes = list(
            db.execute(
                text("SELECT status FROM quote WHERE rfq_id = :r ORDER BY revision"), {"r": rfq_id}
            ).scalars()
        )
        events = list(
            db.execute(
                text(
                    "SELECT name FROM outbox_event WHERE entity = 'rfq' "
                    "AND entity_id = :r ORDER BY seq"
                ),
                {"r": rfq_id},
            ).scalars()
        )
    return status, quotes, events


def _backdate(rfq_id: str) -> None:
    with system_session() as db:
        db.execute(
            text("UPDATE rfq SET expires_at = now() - interval '1 minute' WHERE id = :r"),
            {"r": rfq_id},
        )


def test_the_sweep_expires_only_live_rfqs_past_their_time_and_only_once(client, market):
    due = raise_rfq(client, market)
    send_quote(client, market, "oem_a", due, 10_00_000_00, 4_00_000_00)
    later = raise_rfq(client, market)
    cancelled = raise_rfq(client, market)
    client.post(f"/api/v1/rfqs/{cancelled}/cancel", headers=market.headers["buyer"])
    _backdate(due)
    _backdate(cancelled)

    first = {r["rfqId"] for r in expire_due()}
    second = {r["rfqId"] for r in expire_due()}

    assert due in first and not {later, cancelled} & first
    assert due not in second
    status, quotes, events = _state(due)
    assert (status, quotes) == ("expired", ["expired"])
    assert events.count("RFQExpired") == 1
    assert _state(later)[0] == "open" and _state(cancelled)[0] == "cancelled"
    late = client.post(
        f"/api/v1/rfqs/{due}/quotes",
        json=quote_body(market, 1_00_000_00, 1_00_000_00),
        headers=market.headers["oem_b"],
    )
    assert late.status_code == 409


def test_a_past_due_rfq_takes_no_quote_before_the_sweep_runs(client, market):
    rfq_id = raise_rfq(client, market)
    _backdate(rfq_id)
    late = client.post(
        f"/api/v1/rfqs/{rfq_id}/quotes",
        json=quote_body(market, 1_00_000_00, 1_00_000_00),
        headers=market.headers["oem_a"],
    )
    assert late.status_code == 409 and "expired" in late.json()["error"]["message"]


def test_the_expire_task_leaves_an_rfq_that_is_not_due_alone(client, market):
    rfq_id = raise_rfq(client, market)
    assert expire_due(uuid.UUID(rfq_id)) == []
    assert _state(rfq_id)[0] == "open"


def test_a_real_worker_expires_an_rfq_at_its_time(client, market, tmp_path: Path):
    with celery_running(tmp_path):
        rfq_id = raise_rfq(client, market, expiresAt=in_future(4))
        send_quote(client, market, "oem_b", rfq_id, 10_00_000_00, 4_00_000_00)
        deadline = time.monotonic() + 90  # generous: a busy machine is not a failure
        while _state(rfq_id)[0] != "expired" and time.monotonic() < deadline:
            time.sleep(0.5)
    status, quotes, events = _state(rfq_id)
    log = (tmp_path / "worker.log").read_text().splitlines()
    assert status == "expired", "\n".join(line for line in log if "rfq" in line)[-3000:]
    assert quotes == ["expired"]
    assert events.count("RFQExpired") == 1
