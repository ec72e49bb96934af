"""SLA breaches fire once, through a real Celery worker and beat, also across a restart."""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.sla.models import SlaPolicy
from services.tickets.service import open_ticket
from tests.factories import make_org, make_served_device
from tests.workers import celery_running, wait_until_ready


@pytest.fixture(scope="module")
def setup():
    """A hospital whose device a partner serves under a policy with second-long targets."""
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    with tenant_session(partner.actor) as db:
        db.add(
            SlaPolicy(
                tenant_id=partner.tenant.id,
                name="Test seconds",
                tier="platinum",
                targets={
                    "P1": {"responseMinutes": 0.05, "resolutionMinutes": 60},
                    "P2": {"responseMinutes": 0.15, "resolutionMinutes": 60},
                },
            )
        )
    served = make_served_device(hospital, partner, "MVI-CT128", sla_tier="platinum")
    return hospital, partner, served.device_id


def _open(setup, priority: str) -> uuid.UUID:
    hospital, _partner, device_id = setup
    with tenant_session(hospital.actor) as db:
        return open_ticket(db, hospital.actor, device_id, priority, "E-1", "breach test").id


def _breaches(ticket_id) -> list:
    with system_session() as db:
        return (
            db.execute(
                text(
                    "SELECT payload FROM outbox_event WHERE name = 'SLABreached' AND entity_id = :t"
                ),
                {"t": str(ticket_id)},
            )
            .scalars()
            .all()
        )


def _state(ticket_id):
    with system_session() as db:
        return db.execute(
            text("SELECT response_due_at, response_breached_at FROM ticket WHERE id = :t"),
            {"t": ticket_id},
        ).one()


def _wait_breach(ticket_id, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _state(ticket_id).response_breached_at:
            return
        time.sleep(0.2)
    pytest.fail("no breach was detected")


def test_a_breach_fires_once_within_five_seconds(setup, tmp_path: Path):
    _hospital, partner, _device = setup
    with celery_running(tmp_path):
        wait_until_ready(tmp_path)
        ticket = _open(setup, "P1")  # response due in 3 s
        _wait_breach(ticket)
        time.sleep(3)  # further passes must not fire it again
    due, breached = _state(ticket)
    assert 0 <= (breached - due).total_seconds() < 5
    events = _breaches(ticket)
    assert len(events) == 1 and events[0]["clock"] == "response"
    with system_session() as db:
        notices, people, dispatchers = db.execute(
            text(
                "SELECT count(*), count(DISTINCT user_id), (SELECT count(*) FROM users "
                "WHERE tenant_id = :p AND is_active AND 'dispatcher' = ANY(roles)) "
                "FROM notification WHERE ticket_id = :t AND tenant_id = :p "
                "AND kind = 'sla_breach'"
            ),
            {"t": ticket, "p": partner.tenant.id},
        ).one()
    assert notices == people == dispatchers >= 1  # one breach notice for each dispatcher


def test_a_breach_due_while_the_worker_is_down_fires_once_after_restart(setup, tmp_path: Path):
    ticket = _open(setup, "P2")  # response due in 9 s
    with celery_running(tmp_path / "first") as procs:
        time.sleep(2)
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
        for proc in procs:
            proc.wait(timeout=10)
    while _state(ticket).response_due_at.timestamp() > time.time() - 2:
        time.sleep(0.5)
    assert _state(ticket).response_breached_at is None
    assert _breaches(ticket) == []
    with celery_running(tmp_path / "second"):
        _wait_breach(ticket)
        time.sleep(3)
    assert len(_breaches(ticket)) == 1
