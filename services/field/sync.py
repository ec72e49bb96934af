"""The phone's queue arriving: a batch of events, each with an idempotency key and the time
it was made on the phone, answered one by one in the order sent.

Each event stands or falls on its own (a savepoint each): `applied`, `duplicate` (the key
was seen before from this account; nothing changes again), `rejected` with the reason, or
`conflict` (fine when made, but the ticket moved on meanwhile, e.g. the job was
reassigned): conflicts are kept for the dispatcher. Events apply in the phone's time order,
so a ticket's events apply in the order they were made, whatever order they arrive in."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from services.actor import Actor
from services.columns import utcnow
from services.errors import Conflict, DomainError, Invalid
from services.field.actions import ACTIONS, Context, FieldEvent, position_of
from services.field.jobs import technician_of
from services.field.models import SyncEvent

log = logging.getLogger("yantra.field")
MAX_EVENTS = 500
# Images are kept where they land (ticket attachments, the visit), not twice in the log.
_BULKY = ("dataBase64", "signaturePng")
REFUSED_BEFORE_WRITING = ("ticket.note", "checklist.step")


def _uuid(raw: Any, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError) as exc:
        raise Invalid(field, "must be a UUID") from exc


def _moment(raw: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid("clientTime", "must be an ISO 8601 time, e.g. 2026-12-01T04:31:12Z") from exc
    if moment.tzinfo is None:
        raise Invalid("clientTime", "must say its time zone (Z or +05:30)")
    return moment.astimezone(UTC)


def parse_event(index: int, raw: Any) -> FieldEvent:
    """One event of the batch, checked for shape. Raises Invalid naming the field."""
    if not isinstance(raw, dict):
        raise Invalid("event", "must be an object")
    key = _uuid(raw.get("idempotencyKey"), "idempotencyKey")
    kind = raw.get("type")
    if kind not in ACTIONS:
        raise Invalid("type", f"must be one of {', '.join(ACTIONS)}")
    payload = raw.get("payload") if raw.get("payload") is not None else {}
    if not isinstance(payload, dict):
        raise Invalid("payload", "must be an object")
    if payload.get("position"):
        position_of(payload["position"])
    ticket_id = _uuid(raw.get("entityId"), "entityId")
    return FieldEvent(index, key, kind, ticket_id, _moment(raw.get("clientTime")), payload)


def _result(key: Any, status: str, server_id=None, error: str | None = None, **more) -> dict:
    return {
        "idempotencyKey": str(key) if key is not None else None,
        "status": status,
        "serverId": str(server_id) if server_id else None,
        "error": error,
        **more,
    }


def apply_event(db: Session, ctx: Context, ev: FieldEvent) -> dict:
    """Apply one event in a savepoint of its own; its result (without saving the log).
    Notes and checklist answers refuse before they write anything, so they need none
    (a database failure there fails the whole batch, which the phone sends again)."""
    try:
        if ev.type in REFUSED_BEFORE_WRITING:
            made = ACTIONS[ev.type](db, ctx, ev)
        else:
            with db.begin_nested():
                made = ACTIONS[ev.type](db, ctx, ev)
    except Conflict as exc:
        ctx.forget()
        return _result(ev.key, "conflict", error=exc.message)
    except DomainError as exc:
        ctx.forget()
        return _result(ev.key, "rejected", error=exc.message)
    except SQLAlchemyError:
        if ev.type in REFUSED_BEFORE_WRITING:
            raise
        ctx.forget()
        log.exception("sync event %s (%s) could not be applied", ev.key, ev.type)
        return _result(ev.key, "rejected", error="The server could not apply this event")
    server_id, warning = made if isinstance(made, tuple) else (made, None)
    return _result(ev.key, "applied", server_id, **({"warning": warning} if warning else {}))


def _logged(actor: Actor, client_id, ev: FieldEvent, result: dict) -> dict:
    status = result["status"]
    return {
        "tenant_id": actor.tenant_id,
        "user_id": actor.user_id,
        "client_id": client_id,
        "idempotency_key": ev.key,
        "type": ev.type,
        "entity_id": str(ev.ticket_id),
        "ticket_id": ev.ticket_id if status != "rejected" else None,
        "client_time": ev.client_time,
        "payload": {
            k: (v if k not in _BULKY else f"{len(v or '')} characters")
            for k, v in ev.payload.items()
        },
        "status": status,
        "server_id": uuid.UUID(result["serverId"]) if result["serverId"] else None,
        "error": result["error"] or "",
    }


def _seen(db: Session, actor: Actor, keys: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    rows = db.execute(
        text(
            "SELECT idempotency_key, server_id FROM sync_event "
            "WHERE user_id = :u AND idempotency_key = ANY(:k)"
        ),
        {"u": actor.user_id, "k": keys},
    )
    return {r.idempotency_key: r.server_id for r in rows}


def sync_batch(db: Session, actor: Actor, body: Any) -> dict[str, Any]:
    """Apply a batch from a technician's phone; one result per event, in the order sent.
    Raises Forbidden (not a technician) or Invalid (not a batch at all, or too many)."""
    ctx = Context(actor, technician_of(db, actor))
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise Invalid("events", "send {clientId, events: [...]}")
    raw_events = body["events"]
    if len(raw_events) > MAX_EVENTS:
        raise Invalid("events", f"at most {MAX_EVENTS} events per batch; send the rest next")
    client_id = _uuid(body.get("clientId"), "clientId")
    # One batch at a time per account, so a key sent twice at once is applied once.
    db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:u))"), {"u": str(actor.user_id)})
    results: list[dict | None] = [None] * len(raw_events)
    events: list[FieldEvent] = []
    for i, raw in enumerate(raw_events):
        try:
            events.append(parse_event(i, raw))
        except Invalid as exc:
            key = raw.get("idempotencyKey") if isinstance(raw, dict) else None
            results[i] = _result(key, "rejected", error=exc.message)
    seen = _seen(db, actor, [e.key for e in events])
    first: dict[uuid.UUID, FieldEvent] = {}
    logs = []
    for ev in sorted(events, key=lambda e: (e.client_time, e.index)):
        if ev.key in seen or ev.key in first:
            continue
        first[ev.key] = ev
        results[ev.index] = apply_event(db, ctx, ev)
        logs.append(_logged(actor, client_id, ev, results[ev.index]))
    for ev in events:
        if results[ev.index] is None:  # a replayed key: nothing happens again
            if ev.key in seen:
                earlier = seen[ev.key]
            else:
                earlier = (results[first[ev.key].index] or {}).get("serverId")
            results[ev.index] = _result(ev.key, "duplicate", earlier)
    if logs:
        db.execute(SyncEvent.__table__.insert(), logs)
    _note_position(db, ctx, [e for e in first.values() if results[e.index]["status"] == "applied"])
    return {"results": results, "syncedAt": utcnow().isoformat()}


def _note_position(db: Session, ctx: Context, events: list[FieldEvent]) -> None:
    """The technician's last known position: the newest an event carried."""
    placed = [e for e in events if e.payload.get("position")]
    tech = ctx.technician
    if not placed or tech is None:
        return
    newest = max(placed, key=lambda e: e.client_time)
    if tech.last_fix_at is not None and tech.last_fix_at >= newest.client_time:
        return
    tech.latitude, tech.longitude = position_of(newest.payload["position"])
    tech.last_fix_at = newest.client_time
    db.add(tech)
