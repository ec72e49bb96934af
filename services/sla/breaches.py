"""Finding SLA breaches, exactly once per deadline, and climbing the escalation ladder.

Each pass marks due deadlines with one UPDATE ... RETURNING whose rows are locked with
SKIP LOCKED: a deadline is marked by exactly one transaction, and its event, timeline
entry and notification commit with the mark or not at all. A worker that dies mid-pass
leaves the deadline unmarked for the next pass.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.db import system_session
from services.events.service import emit
from services.settings import get_settings
from services.tickets.models import Notification, TicketEvent

OPEN = "('on_hold', 'resolved', 'closed', 'cancelled')"
CLOCKS = {
    "response": f"""response_breached_at IS NULL AND response_due_at <= now()
                    AND responded_at IS NULL AND status NOT IN {OPEN}""",
    "resolution": f"""resolution_breached_at IS NULL AND resolution_due_at <= now()
                      AND status NOT IN {OPEN}""",
}
LADDER = {2: "oem_service_manager", 3: "oem_admin"}


def _engine_actor(tenant_id) -> Actor:
    return Actor(None, tenant_id, TenantKind.PLATFORM, frozenset(), "sla-engine")


def _mark(db: Session, clock: str, limit: int) -> list:
    return db.execute(text(f"""
        WITH due AS (SELECT id FROM ticket WHERE {CLOCKS[clock]}
                     ORDER BY {clock}_due_at LIMIT :limit FOR UPDATE SKIP LOCKED)
        UPDATE ticket t SET {clock}_breached_at = now(),
               escalation_level = GREATEST(t.escalation_level, 1), updated_at = now()
          FROM due WHERE t.id = due.id
        RETURNING t.id, t.tenant_id, t.service_partner_tenant_id, t.number, t.priority,
                  t.{clock}_due_at AS due_at, now() - t.{clock}_due_at AS lag"""),
        {"limit": limit}).all()


def _record_breach(db: Session, clock: str, row) -> None:
    actor = _engine_actor(row.tenant_id)
    note = f"{clock} deadline {row.due_at:%d %b %H:%M} UTC passed"
    db.add(TicketEvent(tenant_id=row.tenant_id, ticket_id=row.id, kind="breach", note=note,
                       actor_label="sla-engine"))
    if row.service_partner_tenant_id:
        db.add(Notification(tenant_id=row.service_partner_tenant_id, role="dispatcher",
                            ticket_id=row.id, title=f"SLA breached: #{row.number} ({row.priority})",
                            body=note))
    audit.record(db, actor, "sla.breach", "ticket", row.id, note)
    emit(db, actor, "SLABreached", "ticket", row.id,
         {"clock": clock, "dueAt": row.due_at.isoformat(), "priority": row.priority,
          "lagSeconds": round(row.lag.total_seconds(), 3)})


def detect_breaches(limit: int = 2000) -> list[dict]:
    """Mark every passed deadline once; returns the breaches marked in this pass."""
    marked = []
    with system_session() as db:
        for clock in CLOCKS:
            for row in _mark(db, clock, limit):
                _record_breach(db, clock, row)
                marked.append({"ticketId": str(row.id), "clock": clock,
                               "lagSeconds": row.lag.total_seconds()})
    return marked


def escalate() -> int:
    """Climb the ladder for breached tickets still open: service manager, then OEM admin."""
    steps = get_settings().escalation_minutes
    climbed = 0
    with system_session() as db:
        for level, minutes in ((2, steps[0]), (3, steps[1])):
            rows = db.execute(text(f"""
                UPDATE ticket t SET escalation_level = :level, updated_at = now()
                  FROM equipment e
                 WHERE e.id = t.equipment_id AND t.escalation_level = :level - 1
                   AND t.status NOT IN {OPEN}
                   AND LEAST(t.response_breached_at, t.resolution_breached_at)
                       <= now() - make_interval(mins => :minutes)
                RETURNING t.id, t.tenant_id, t.number, t.priority, e.manufacturer_tenant_id"""),
                {"level": level, "minutes": minutes}).all()
            for row in rows:
                role = LADDER[level]
                db.add(Notification(tenant_id=row.manufacturer_tenant_id, role=role,
                                    ticket_id=row.id,
                                    title=f"Escalated to you: #{row.number} ({row.priority})",
                                    body=f"Breached and still open after {minutes} minutes"))
                db.add(TicketEvent(tenant_id=row.tenant_id, ticket_id=row.id, kind="escalation",
                                   note=f"escalated to {role.replace('_', ' ')}",
                                   actor_label="sla-engine"))
                climbed += 1
    return climbed
