"""The service side of the home page's to-do lists: a dispatcher's urgent, at-risk and
unplanned tickets, a technician's jobs, and the customer's own open tickets with their
SLA clocks (the hospital or lab that owns the devices)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from services.actor import Actor
from services.columns import utcnow
from services.common.clock import ist_text
from services.overview.lists import Item, Listed, Section, read_rows, total_of

AT_RISK = timedelta(minutes=60)  # a deadline this close, or passed, puts a ticket at risk
ACTIVE = "('open', 'acknowledged', 'assigned', 'en_route', 'on_site', 'in_progress', 'reopened')"
WAITING_FOR_A_TECHNICIAN = "('open', 'acknowledged', 'reopened')"
# A customer's open ticket includes one on hold (waiting for parts): the device is down.
CUSTOMER_OPEN = (
    "('open', 'acknowledged', 'assigned', 'en_route', 'on_site', 'in_progress', 'reopened', "
    "'on_hold')"
)


def _tickets(db: Session, actor: Actor, limit: int, where: str, order: str, **params) -> Listed:
    rows = read_rows(
        db,
        f"""SELECT t.id, t.number, t.priority, t.status, t.city, t.description,
                   least(t.response_due_at, t.resolution_due_at) AS due,
                   count(*) OVER () AS total
              FROM ticket t WHERE {where} ORDER BY {order} LIMIT :n""",
        t=actor.tenant_id,
        n=limit,
        **params,
    )
    return total_of(rows), [
        Item(
            f"#{r['number']} {r['priority']} · {r['status'].replace('_', ' ')}"
            + (f" · {r['city']}" if r["city"] else ""),
            (f"due {ist_text(r['due'], '%d %b %H:%M')} · " if r["due"] else "")
            + r["description"][:90],
            f"/tickets/{r['id']}",
            r["priority"],
        )
        for r in rows
    ]


def dispatcher_sections(db: Session, actor: Actor, n: int) -> list[Section]:
    """The tickets the organisation services: P1 and P2 open, those near or past their
    SLA deadline, and those with no technician yet."""
    mine = f"t.service_partner_tenant_id = :t AND t.status IN {ACTIVE}"
    soon = utcnow() + AT_RISK
    at_risk = (
        "((t.responded_at IS NULL AND t.response_due_at <= :soon) OR t.resolution_due_at <= :soon)"
    )
    return [
        Section(
            "urgent",
            "P1 and P2 open",
            "No P1 or P2 is open. New ones show here and on the ops console.",
            "Ops console",
            "/ops",
            *_tickets(db, actor, n, f"{mine} AND t.priority IN ('P1', 'P2')", "t.priority, due"),
        ),
        Section(
            "at-risk",
            "At risk of an SLA breach",
            "No open ticket is within an hour of its SLA deadline.",
            "Dispatch",
            "/dispatch",
            *_tickets(db, actor, n, f"{mine} AND {at_risk}", "due", soon=soon),
        ),
        Section(
            "unassigned",
            "Waiting for a technician",
            "Every open ticket has a technician.",
            "Dispatch",
            "/dispatch",
            *_tickets(
                db,
                actor,
                n,
                f"{mine} AND t.status IN {WAITING_FOR_A_TECHNICIAN} AND t.technician_id IS NULL",
                "t.priority, t.opened_at",
            ),
        ),
    ]


def technician_sections(db: Session, actor: Actor, n: int) -> list[Section]:
    """The technician's own jobs in hand, the nearest deadline first."""
    where = (
        "t.technician_id IN (SELECT id FROM technician WHERE user_id = :u) AND t.status IN "
        "('assigned', 'en_route', 'on_site', 'in_progress', 'on_hold')"
    )
    return [
        Section(
            "jobs",
            "Your jobs",
            "No job is assigned to you. The dispatcher's accepted plan puts jobs here.",
            "Today's route on your phone (works offline)",
            "/field",
            *_tickets(db, actor, n, where, "due NULLS LAST", u=actor.user_id),
        )
    ]


def customer_sections(db: Session, actor: Actor, n: int) -> list[Section]:
    """The organisation's own open tickets, past their SLA deadline first, then by
    priority and deadline: what the hospital or lab follows on its service desk."""
    late = (
        "coalesce((t.responded_at IS NULL AND t.response_due_at < now()) "
        "OR t.resolution_due_at < now(), false)"
    )
    return [
        Section(
            "service",
            "Your open service tickets",
            "No device of yours has an open ticket. Report a fault from the device's page "
            "or by scanning its label.",
            "Service desk",
            "/service",
            *_tickets(
                db,
                actor,
                n,
                f"t.tenant_id = :t AND t.status IN {CUSTOMER_OPEN}",
                f"{late} DESC, t.priority, due NULLS LAST",
            ),
        )
    ]
