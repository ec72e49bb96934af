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
from services.settings import get_settings
from services.tickets.models import TicketEvent

OPEN = "('on_hold', 'resolved', 'closed', 'cancelled')"
CLOCKS = {
    "response": f"""response_breached_at IS NULL AND response_due_at <= now()
                    AND responded_at IS NULL AND status NOT IN {OPEN}""",
    "resolution": f"""resolution_breached_at IS NULL AND resolution_due_at <= now()
                      AND status NOT IN {OPEN}""",
}
LADDER = {2: "oem_service_manager", 3: "oem_admin"}
# One notice for each active account holding the role the ladder reached.
ESCALATION_NOTICES = text("""
    INSERT INTO notification (tenant_id, user_id, role, kind, ticket_id, title, body, link,
                              dedupe_key)
    SELECT :tenant, u.id, CAST(:role AS varchar), 'escalation', :ticket, :title, :body, :link,
           :key
      FROM users u WHERE u.tenant_id = :tenant AND u.is_active
       AND CAST(:role AS varchar) = ANY(u.roles)
    ON CONFLICT DO NOTHING""")


def _engine_actor(tenant_id) -> Actor:
    return Actor(None, tenant_id, TenantKind.PLATFORM, frozenset(), "sla-engine")


def _mark(db: Session, clock: str, limit: int) -> list:
    """Mark up to `limit` passed deadlines and write their timeline entries, dispatcher
    notices and SLABreached events, all in set-based statements of one transaction."""
    return db.execute(
        text(f"""
        WITH due AS (SELECT id FROM ticket WHERE {CLOCKS[clock]}
                     ORDER BY {clock}_due_at LIMIT :limit FOR UPDATE SKIP LOCKED),
        marked AS (
            UPDATE ticket t SET {clock}_breached_at = clock_timestamp(),
                   escalation_level = GREATEST(t.escalation_level, 1), updated_at = now()
              FROM due WHERE t.id = due.id
            RETURNING t.id, t.tenant_id, t.service_partner_tenant_id, t.number, t.priority,
                      t.{clock}_due_at AS due_at, t.{clock}_breached_at AS breached_at),
        timeline AS (
            INSERT INTO ticket_event (tenant_id, ticket_id, kind, note, actor_label)
            SELECT tenant_id, id, 'breach', :clock || ' deadline ' ||
                   to_char(due_at AT TIME ZONE 'UTC', 'DD Mon HH24:MI') || ' UTC passed',
                   'sla-engine' FROM marked),
        notices AS (
            INSERT INTO notification (tenant_id, user_id, role, kind, ticket_id, title, body,
                                      link)
            SELECT m.service_partner_tenant_id, u.id, 'dispatcher', 'sla_breach', m.id,
                   'SLA breached: #' || m.number || ' (' || m.priority || ')',
                   :clock || ' deadline passed', '/tickets/' || m.id FROM marked m
              JOIN users u ON u.tenant_id = m.service_partner_tenant_id AND u.is_active
                          AND 'dispatcher' = ANY(u.roles)),
        events AS (
            INSERT INTO outbox_event (tenant_id, name, entity, entity_id, payload)
            SELECT tenant_id, 'SLABreached', 'ticket', id::text, jsonb_build_object(
                   'clock', :clock, 'dueAt', due_at, 'priority', priority,
                   'lagSeconds', round(extract(epoch FROM breached_at - due_at)::numeric, 3))
              FROM marked)
        SELECT id, tenant_id, number, extract(epoch FROM breached_at - due_at) AS lag
          FROM marked"""),
        {"limit": limit, "clock": clock},
    ).all()


def detect_breaches(limit: int = 500) -> list[dict]:
    """Mark every passed deadline once; returns the breaches marked by this pass.

    Passes do not overlap (a transaction-level advisory lock), so a slow pass is never
    joined by a second one competing for the same rows and the audit chain."""
    marked = []
    with system_session() as db:
        if not db.execute(
            text("SELECT pg_try_advisory_xact_lock(hashtext('sla_tick'))")
        ).scalar_one():
            return []
        for clock in CLOCKS:
            while True:
                rows = _mark(db, clock, limit)
                marked += [
                    {
                        "ticketId": str(r.id),
                        "clock": clock,
                        "tenantId": r.tenant_id,
                        "number": r.number,
                        "lagSeconds": float(r.lag),
                    }
                    for r in rows
                ]
                if len(rows) < limit:
                    break
        _audit(db, marked)
    return marked


def _audit(db: Session, marked: list[dict]) -> None:
    """One audit entry per organisation and pass, naming the tickets."""
    by_tenant: dict = {}
    for breach in marked:
        by_tenant.setdefault(breach["tenantId"], []).append(breach)
    for tenant_id, breaches in by_tenant.items():
        numbers = ", ".join(f"#{b['number']} {b['clock']}" for b in breaches[:20])
        more = f" and {len(breaches) - 20} more" if len(breaches) > 20 else ""
        audit.record(
            db,
            _engine_actor(tenant_id),
            "sla.breach",
            "ticket",
            breaches[0]["ticketId"] if len(breaches) == 1 else "",
            f"{len(breaches)} SLA deadline(s) passed: {numbers}{more}",
        )


def escalate() -> int:
    """Climb the ladder for breached tickets still open: service manager, then OEM admin."""
    steps = get_settings().escalation_minutes
    climbed = 0
    with system_session() as db:
        for level, minutes in ((2, steps[0]), (3, steps[1])):
            rows = db.execute(
                text(f"""
                UPDATE ticket t SET escalation_level = :level, updated_at = now()
                  FROM equipment e
                 WHERE e.id = t.equipment_id AND t.escalation_level = :level - 1
                   AND t.status NOT IN {OPEN}
                   AND LEAST(t.response_breached_at, t.resolution_breached_at)
                       <= now() - make_interval(mins => :minutes)
                RETURNING t.id, t.tenant_id, t.number, t.priority, e.manufacturer_tenant_id"""),
                {"level": level, "minutes": minutes},
            ).all()
            for row in rows:
                role = LADDER[level]
                db.execute(
                    ESCALATION_NOTICES,
                    {
                        "tenant": row.manufacturer_tenant_id,
                        "role": role,
                        "ticket": row.id,
                        "title": f"Escalated to you: #{row.number} ({row.priority})",
                        "body": f"Breached and still open after {minutes} minutes",
                        "link": f"/tickets/{row.id}",
                        "key": f"escalation:{row.id}:{level}",
                    },
                )
                db.add(
                    TicketEvent(
                        tenant_id=row.tenant_id,
                        ticket_id=row.id,
                        kind="escalation",
                        note=f"escalated to {role.replace('_', ' ')}",
                        actor_label="sla-engine",
                    )
                )
                climbed += 1
    return climbed
