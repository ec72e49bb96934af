"""Late tickets cost penalties on the contract's statement; breaches climb the ladder."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.api import create_api
from services.actor import Role, TenantKind
from services.contracts.models import Contract
from services.db import system_session, tenant_session
from services.sla.breaches import detect_breaches, escalate
from services.sla.models import SlaPolicy
from services.tickets.service import change_status, open_ticket
from tests.factories import make_org, make_served_device


def _served_device(per_hour: int, cap: int):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    with tenant_session(partner.actor) as db:
        db.add(
            SlaPolicy(
                tenant_id=partner.tenant.id,
                name="Gold",
                tier="gold",
                targets={"P1": {"responseMinutes": 30, "resolutionMinutes": 240}},
                penalty_per_hour_paise=per_hour,
                penalty_cap_paise=cap,
            )
        )
    with tenant_session(hospital.actor) as db:
        contract = Contract(
            tenant_id=hospital.tenant.id,
            seller_tenant_id=partner.tenant.id,
            kind="cmc",
            status="active",
            sla_tier="gold",
        )
        db.add(contract)
    served = make_served_device(
        hospital, partner, "MVI-MR15", pincode="400012", sla_tier="gold", contract_id=contract.id
    )
    return hospital, partner, served.device_id, contract.id


def _age(ticket_id, hours: float) -> None:
    """Move a ticket's history back in time, as if it had been opened `hours` ago."""
    with system_session() as db:
        db.execute(
            text(
                "UPDATE ticket SET opened_at = opened_at - make_interval(secs => :s), "
                "response_due_at = response_due_at - make_interval(secs => :s), "
                "resolution_due_at = resolution_due_at - make_interval(secs => :s) WHERE id = :t"
            ),
            {"s": hours * 3600, "t": ticket_id},
        )


def test_a_late_resolution_costs_per_started_hour_and_shows_on_the_statement():
    hospital, partner, device, contract = _served_device(5_000_00, 12_000_00)
    with tenant_session(hospital.actor) as db:
        ticket = open_ticket(db, hospital.actor, device, "P1", "E-1", "gradient coil fault").id
    _age(ticket, 4 + 1.5)  # resolution target 4 h: now 1.5 h late
    with tenant_session(partner.actor) as db:
        for step in ("acknowledged", "assigned", "en_route", "on_site", "in_progress", "resolved"):
            change_status(db, partner.actor, ticket, step)
    client = TestClient(create_api())
    token = client.post(
        "/api/v1/auth/token", data={"username": hospital.email, "password": "correct-horse-battery"}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    detail = client.get(f"/api/v1/tickets/{ticket}", headers=headers).json()
    assert detail["penaltyPaise"] == 10_000_00  # two started hours at ₹5,000
    from datetime import datetime
    from zoneinfo import ZoneInfo

    month = datetime.now(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m")
    statement = client.get(
        f"/api/v1/contracts/{contract}/statement", params={"month": month}, headers=headers
    ).json()
    assert statement["ticketsResolved"] == 1 and statement["ticketsLate"] == 1
    assert statement["penaltyTotalPaise"] == 10_000_00
    bad = client.get(
        f"/api/v1/contracts/{contract}/statement", params={"month": "2026-13"}, headers=headers
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "month"


def test_breaches_climb_from_dispatcher_to_service_manager_to_oem_admin():
    hospital, partner, device, _contract = _served_device(0, 0)
    with tenant_session(hospital.actor) as db:
        ticket = open_ticket(db, hospital.actor, device, "P1", "E-2", "no image").id
    _age(ticket, 0.6)  # response due after 30 minutes: 6 minutes late
    assert {b["ticketId"] for b in detect_breaches()} >= {str(ticket)}
    with system_session() as db:
        db.execute(
            text(
                "UPDATE ticket SET response_breached_at = now() - interval '3 hours' WHERE id = :t"
            ),
            {"t": ticket},
        )
    escalate()
    escalate()
    with system_session() as db:
        level = db.execute(
            text("SELECT escalation_level FROM ticket WHERE id = :t"), {"t": ticket}
        ).scalar_one()
        notices = db.execute(
            text(
                "SELECT n.role, n.tenant_id = :p AS to_partner FROM notification n "
                "WHERE n.ticket_id = :t ORDER BY n.created_at"
            ),
            {"t": ticket, "p": partner.tenant.id},
        ).all()
    assert level == 3
    assert [(n.role, n.to_partner) for n in notices] == [
        ("dispatcher", True),
        ("oem_service_manager", False),
        ("oem_admin", False),
    ]
