"""Domain events reach every subscriber through a real Celery worker and beat."""

from __future__ import annotations

import os
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.events import service as outbox
from services.events.models import EventDelivery
from services.events.registry import load_modules, subscribers
from tests.factories import make_org
from tests.workers import celery_running


@pytest.fixture
def event_log_dir(tmp_path: Path) -> Path:
    return tmp_path / "events"


@pytest.fixture
def celery_processes(event_log_dir: Path, tmp_path: Path):
    """Starts a worker and a beat when called; stops them after the test."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(
            celery_running(
                tmp_path,
                EVENT_SUBSCRIBER_MODULES="tests.platform.subscribers",
                EVENT_LOG_DIR=str(event_log_dir),
            )
        )


def _deliveries(event_id: uuid.UUID) -> dict[str, EventDelivery]:
    with system_session() as db:
        rows = db.exec(select(EventDelivery).where(EventDelivery.event_id == event_id))
        return {row.subscriber: row for row in rows}


def _emit_grant_event() -> uuid.UUID:
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    with tenant_session(org.actor) as db:
        event = outbox.emit(
            db, org.actor, "AccessGranted", "equipment", "*", {"grantee": str(uuid.uuid4())}
        )
    return event.id


def _wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def test_event_is_written_with_its_change_or_not_at_all():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    marker = uuid.uuid4().hex
    with pytest.raises(RuntimeError), tenant_session(org.actor) as db:
        outbox.emit(db, org.actor, "AccessGranted", "equipment", marker)
        raise RuntimeError("the change failed")
    with system_session() as db:
        count = db.execute(
            text("SELECT count(*) FROM outbox_event WHERE entity_id = :m"), {"m": marker}
        ).scalar_one()
    assert count == 0
    with pytest.raises(ValueError):
        with tenant_session(org.actor) as db:
            outbox.emit(db, org.actor, "NoSuchEvent", "x", "1")


def test_every_subscriber_gets_the_event_and_a_failing_one_is_retried(
    celery_processes, event_log_dir
):
    event_id = _emit_grant_event()
    # A relay whose worker died after leasing the deliveries: nothing ran them.
    os.environ["EVENT_SUBSCRIBER_MODULES"] = "tests.platform.subscribers"
    load_modules("tests.platform.subscribers")
    outbox.fan_out(subscribers())
    leased = outbox.lease_due()
    assert set(_deliveries(event_id)) >= {"test_recorder", "test_flaky", "ops_log"}
    assert len(leased) >= 3
    with system_session() as db:  # the lease runs out
        db.execute(
            text("UPDATE event_delivery SET next_attempt_at = now() WHERE event_id = :e"),
            {"e": event_id},
        )

    celery_processes()

    recorded = _wait_until(
        lambda: (d := _deliveries(event_id))["test_recorder"].status == "delivered" and d,
        60,
        "the recorder's delivery",
    )
    assert recorded["test_recorder"].attempts == 1
    # Once each (other tests' grants may be delivered beside it).
    assert (event_log_dir / "recorder.log").read_text().split().count(str(event_id)) == 1

    flaky = _wait_until(
        lambda: (d := _deliveries(event_id))["test_flaky"].status == "delivered" and d,
        60,
        "the flaky subscriber's third try",
    )
    assert flaky["test_flaky"].attempts == 3
    assert flaky["test_flaky"].last_error is None
    # Once each (other tests' grants may be delivered beside it).
    assert (event_log_dir / "flaky.log").read_text().split().count(str(event_id)) == 1
    # The failing subscriber never held the other one up.
    assert recorded["test_recorder"].delivered_at < flaky["test_flaky"].delivered_at
