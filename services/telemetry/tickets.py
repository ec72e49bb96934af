"""Alarms meet tickets: a raised alarm opens a ticket with source `telemetry` (or adds to
the device's open one) with the evidence chart; a cleared alarm says so on the ticket."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text

from services.actor import Actor, Role, TenantKind
from services.common.clock import IST
from services.db import system_session, tenant_session
from services.telemetry.chart import evidence_png
from services.telemetry.ingest import Device
from services.telemetry.rules import Rule, ticket_priority
from services.tickets.machine import ACTIVE
from services.tickets.service import add_comment, open_ticket


def _owner(tenant_id: uuid.UUID) -> Actor:
    """The platform acting for the device's owner: tickets are the owner's to open."""
    with system_session() as db:
        kind = db.execute(text("SELECT kind FROM tenant WHERE id = :t"), {"t": tenant_id}).scalar()
    return Actor(None, tenant_id, TenantKind(kind), frozenset({Role.BUYER_USER}), "telemetry")


def _shown(ts: datetime) -> str:
    return ts.astimezone(IST).strftime("%d %b %Y %H:%M IST")


def raise_ticket(
    device: Device, rule: Rule, ts: datetime, value: float | None, evidence: list[dict]
) -> uuid.UUID:
    """Open a ticket for the alarm, or add it to the device's active telemetry ticket; the
    evidence chart is attached. Returns the ticket's id."""
    actor = _owner(device.tenant_id)
    reading = f" (last reading {value:g})" if value is not None else ""
    note = f"Telemetry alarm '{rule.name}': {rule.says}{reading}, since {_shown(ts)}."
    title = f"{rule.says} ({rule.metric})" if rule.metric else rule.says
    chart = evidence_png(evidence, rule.limit if rule.metric else None, title)
    with tenant_session(actor) as db:
        existing = db.execute(
            text(
                "SELECT id FROM ticket WHERE equipment_id = :d AND source = 'telemetry' "
                "AND status = ANY(:active) ORDER BY opened_at DESC LIMIT 1"
            ),
            {"d": device.id, "active": list(ACTIVE)},
        ).scalar()
        if existing is None:
            risk = db.execute(
                text(
                    "SELECT s.imdr_class FROM equipment e JOIN sku s ON s.id = e.sku_id "
                    "WHERE e.id = :d"
                ),
                {"d": device.id},
            ).scalar()
            ticket = open_ticket(
                db,
                actor,
                device.id,
                ticket_priority(rule, risk),
                rule.name[:40],
                note,
                source="telemetry",
            )
            existing = ticket.id
        add_comment(db, actor, existing, note, (f"{rule.name}.png", "image/png", chart))
    return existing


def clear_ticket(ticket_id: uuid.UUID, rule: Rule, ts: datetime, value: float | None) -> None:
    """Say on the ticket that the alarm cleared (the service side decides to resolve it)."""
    with system_session() as db:
        tenant_id = db.execute(
            text("SELECT tenant_id FROM ticket WHERE id = :t"), {"t": ticket_id}
        ).scalar_one()
    actor = _owner(tenant_id)
    reading = f" (reading {value:g})" if value is not None else ""
    with tenant_session(actor) as db:
        add_comment(
            db,
            actor,
            ticket_id,
            f"Telemetry alarm '{rule.name}' cleared at {_shown(ts)}{reading}: readings recovered.",
        )
