"""A breach lands in the inbox of each of the partner's dispatchers, and only theirs; each
reads it on their own."""

from __future__ import annotations

import time

from sqlalchemy import text

from services.actor import Actor, Role, TenantKind
from services.db import system_session, tenant_session
from services.notifications.service import inbox, mark_all_read
from services.sla.breaches import detect_breaches, escalate
from services.sla.models import SlaPolicy
from services.tickets.service import open_ticket
from tests.factories import make_org, make_served_device
from tests.notifications.conftest import colleague


def test_a_breach_notice_reaches_the_dispatchers_inbox_until_read():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    other = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    second = colleague(partner, Role.DISPATCHER)
    with tenant_session(partner.actor) as db:
        db.add(
            SlaPolicy(
                tenant_id=partner.tenant.id,
                name="Inbox seconds",
                tier="platinum",
                targets={"P1": {"responseMinutes": 0.02, "resolutionMinutes": 60}},
            )
        )
    served = make_served_device(hospital, partner, "MVI-CT128", sla_tier="platinum")
    with tenant_session(hospital.actor) as db:
        ticket = open_ticket(db, hospital.actor, served.device_id, "P1", "E-9", "inbox test")
        number = ticket.number
    time.sleep(1.5)
    assert any(b["number"] == number for b in detect_breaches())

    with tenant_session(partner.actor) as db:
        items, unread = inbox(db, partner.actor)
    assert unread == 1 and items[0]["title"] == f"SLA breached: #{number} (P1)"
    assert items[0]["unread"] and items[0]["ticketId"] == str(ticket.id)
    assert items[0]["link"] == f"/tickets/{ticket.id}"
    manager = Actor(
        None,
        partner.tenant.id,
        TenantKind.SERVICE_PARTNER,
        frozenset({Role.OEM_SERVICE_MANAGER}),
        "manager",
    )
    with tenant_session(manager) as db:
        assert inbox(db, manager) == ([], 0)  # the notice is for dispatchers
    with tenant_session(other.actor) as db:
        assert inbox(db, other.actor) == ([], 0)  # nor for another partner's
    with tenant_session(partner.actor) as db:
        assert mark_all_read(db, partner.actor) == 1
    with tenant_session(partner.actor) as db:
        items, unread = inbox(db, partner.actor)
    assert unread == 0 and not items[0]["unread"]
    with tenant_session(second) as db:  # a colleague's notice is their own to read
        items, unread = inbox(db, second)
    assert unread == 1 and items[0]["title"] == f"SLA breached: #{number} (P1)"


def test_a_breach_still_open_climbs_to_each_service_manager_of_the_maker_once():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    served = make_served_device(hospital, partner, "MVI-CT128")
    with tenant_session(hospital.actor) as db:
        ticket = open_ticket(db, hospital.actor, served.device_id, "P1", "E-9", "climb test")
    with system_session() as db:  # breached three hours ago and still open
        db.execute(
            text(
                "UPDATE ticket SET response_breached_at = now() - interval '3 hours', "
                "escalation_level = 1 WHERE id = :t"
            ),
            {"t": ticket.id},
        )
        maker, managers = db.execute(
            text(
                "SELECT e.manufacturer_tenant_id, (SELECT count(*) FROM users u WHERE "
                "u.tenant_id = e.manufacturer_tenant_id AND u.is_active AND "
                "'oem_service_manager' = ANY(u.roles)) FROM equipment e WHERE e.id = :d"
            ),
            {"d": served.device_id},
        ).one()
    escalate()
    escalate()  # a second pass climbs no further rung twice
    with system_session() as db:
        rows = db.execute(
            text(
                "SELECT tenant_id, role, user_id, link FROM notification "
                "WHERE kind = 'escalation' AND ticket_id = :t"
            ),
            {"t": ticket.id},
        ).all()
    by_role = {}
    for row in rows:
        by_role.setdefault(row.role, []).append(row)
    assert managers >= 1 and len(by_role["oem_service_manager"]) == managers
    assert {r.tenant_id for r in rows} == {maker}
    assert all(r.user_id is not None and r.link == f"/tickets/{ticket.id}" for r in rows)
