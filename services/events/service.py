"""The outbox: events written with the change that caused them, delivered afterwards.

`emit` runs inside the caller's transaction, so an event exists exactly when its
change does. The relay (a Celery beat task) fans each new event out to one delivery
row per subscriber; each delivery is then attempted, retried with backoff on
failure, and re-sent if a worker died holding it (its lease ran out).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from services.actor import Actor, TenantKind, system_actor
from services.columns import utcnow
from services.db import system_session, tenant_session
from services.events.models import EventDelivery, OutboxEvent
from services.events.registry import EVENT_NAMES, EventView, Subscriber
from services.tenancy.models import Tenant

log = logging.getLogger("yantra.events")

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12


def emit(
    db: Session,
    actor: Actor,
    name: str,
    entity: str,
    entity_id: object,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Write event `name` in the caller's transaction. Raises ValueError for an unknown name."""
    if name not in EVENT_NAMES:
        raise ValueError(f"unknown event name {name!r}")
    event = OutboxEvent(
        tenant_id=actor.tenant_id,
        name=name,
        entity=entity,
        entity_id=str(entity_id),
        payload=payload or {},
    )
    db.add(event)
    return event


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s, ... capped at 5 minutes."""
    return timedelta(seconds=min(300, 2 ** max(0, attempts - 1)))


def fan_out(subscribers: dict[str, Subscriber], limit: int = 500) -> int:
    """Create the delivery rows of undispatched events. Returns how many events it took."""
    with system_session() as db:
        events = list(
            db.exec(
                select(OutboxEvent)
                .where(OutboxEvent.dispatched_at.is_(None))
                .order_by(OutboxEvent.seq)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        now = utcnow()
        for event in events:
            rows = [
                {
                    "id": uuid.uuid4(),
                    "tenant_id": event.tenant_id,
                    "event_id": event.id,
                    "subscriber": sub.name,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                }
                for sub in subscribers.values()
                if sub.accepts(event.name)
            ]
            if rows:
                db.execute(insert(EventDelivery).values(rows).on_conflict_do_nothing())
            event.dispatched_at = now
            db.add(event)
        return len(events)


def lease_due(limit: int = 200) -> list[uuid.UUID]:
    """Take the deliveries that are due, leasing each for LEASE so only one worker runs it."""
    with system_session() as db:
        rows = db.execute(
            text("""
            UPDATE event_delivery SET next_attempt_at = now() + make_interval(secs => :lease)
             WHERE id IN (SELECT id FROM event_delivery
                           WHERE status = 'pending' AND next_attempt_at <= now()
                           ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)
            RETURNING id"""),
            {"lease": LEASE.total_seconds(), "limit": limit},
        )
        return [row[0] for row in rows]


def deliver(delivery_id: uuid.UUID, subscribers: dict[str, Subscriber]) -> str:
    """Run one delivery and record its outcome: 'delivered', 'retry', 'dead' or 'skipped'."""
    with system_session() as db:
        delivery = db.get(EventDelivery, delivery_id)
        if delivery is None or delivery.status != "pending":
            return "skipped"
        event = db.get(OutboxEvent, delivery.event_id)
        tenant = db.get(Tenant, delivery.tenant_id)
    sub = subscribers.get(delivery.subscriber)
    error = None
    if sub is None:
        error = f"no subscriber named {delivery.subscriber!r} is loaded"
    else:
        view = EventView(
            str(event.id),
            event.name,
            str(event.tenant_id),
            event.entity,
            event.entity_id,
            dict(event.payload),
        )
        actor = system_actor(event.tenant_id, TenantKind(tenant.kind), f"subscriber:{sub.name}")
        try:
            with tenant_session(actor) as tdb:
                sub.handler(tdb, view)
        except Exception as exc:  # a subscriber's failure is recorded and retried
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("subscriber %s failed on %s %s: %s", sub.name, event.name, event.id, error)
    return _record_outcome(delivery_id, error)


def _record_outcome(delivery_id: uuid.UUID, error: str | None) -> str:
    with system_session() as db:
        delivery = db.get(EventDelivery, delivery_id, with_for_update=True)
        if delivery.status != "pending":
            return "skipped"
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = (
                "delivered",
                utcnow(),
                None,
            )
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.last_error = "dead", error
        else:
            delivery.last_error = error
            delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
        db.add(delivery)
        return {"delivered": "delivered", "dead": "dead"}.get(delivery.status, "retry")


def backlog(db: Session) -> dict[str, int]:
    """Counts for the ops view: undispatched events and deliveries by status."""
    pending_events = db.execute(
        text("SELECT count(*) FROM outbox_event WHERE dispatched_at IS NULL")
    ).scalar_one()
    by_status = dict(
        db.execute(text("SELECT status, count(*) FROM event_delivery GROUP BY status")).all()
    )
    return {"undispatched": int(pending_events), **{k: int(v) for k, v in by_status.items()}}
