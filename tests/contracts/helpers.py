"""A hospital's service contract with an OEM, its devices, and tickets written at chosen
times (as if they had happened), for the contract tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text

from services.actor import Role, TenantKind
from services.common.clock import IST
from services.contracts.models import Contract
from services.db import system_session, tenant_session
from tests.factories import Org, make_org, make_served_device


@dataclass
class Covered:
    hospital: Org
    oem: Org
    contract_id: uuid.UUID
    devices: list[uuid.UUID]
    site_id: uuid.UUID


def covered_devices(
    count: int = 2,
    *,
    kind: str = "cmc",
    starts_on: date = date(2026, 1, 1),
    ends_on: date = date(2027, 3, 31),
    terms: dict | None = None,
    oem_role: Role = Role.OEM_SERVICE_MANAGER,
) -> Covered:
    """`count` devices of a new hospital under one contract with a new OEM."""
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    oem = make_org(TenantKind.OEM, oem_role)
    with tenant_session(hospital.actor) as db:
        contract = Contract(
            tenant_id=hospital.tenant.id,
            seller_tenant_id=oem.tenant.id,
            kind=kind,
            status="active",
            sla_tier="gold",
            starts_on=starts_on,
            ends_on=ends_on,
            value_paise=12_00_000_00,
            terms=terms
            if terms is not None
            else {"uptimePercent": 96, "penaltyCapPaise": 2_500_00, "preventiveVisitsPerYear": 2},
        )
        db.add(contract)
    served = [
        make_served_device(hospital, None, "MVI-MR15", contract_id=contract.id)
        for _ in range(count)
    ]
    return Covered(hospital, oem, contract.id, [s.device_id for s in served], served[0].site_id)


def ist(day: str, hour: float = 0) -> datetime:
    """A moment in IST: `ist("2026-10-10", 10)` is 10:00 on 10 Oct 2026."""
    base = datetime.fromisoformat(day).replace(tzinfo=IST)
    return base.replace(hour=int(hour), minute=int(round(hour % 1 * 60)))


def past_ticket(
    covered: Covered,
    device: uuid.UUID,
    priority: str,
    opened: datetime,
    resolved: datetime | None,
    *,
    due: datetime | None = None,
    penalty: int = 0,
    reopened: int = 0,
    source: str = "portal",
) -> uuid.UUID:
    """A ticket under the contract that was opened and resolved at the given moments,
    with its resolution due at `due` (the resolution itself when None: just in time)."""
    ticket_id = uuid.uuid4()
    with system_session() as db:
        db.execute(
            text(
                "INSERT INTO ticket (id, tenant_id, equipment_id, contract_id, "
                "service_partner_tenant_id, priority, status, source, description, opened_at, "
                "updated_at, responded_at, response_due_at, resolution_due_at, resolved_at, "
                "penalty_paise, reopen_count) VALUES (:id, :t, :e, :c, :p, :prio, :status, "
                ":source, 'test outage', :o, :o, :o, :o, :due, :r, :pen, :re)"
            ),
            {
                "id": ticket_id,
                "t": covered.hospital.tenant.id,
                "e": device,
                "c": covered.contract_id,
                "p": covered.oem.tenant.id,
                "prio": priority,
                "status": "closed" if resolved else "in_progress",
                "source": source,
                "o": opened,
                "due": due or resolved or opened,
                "r": resolved,
                "pen": penalty,
                "re": reopened,
            },
        )
    return ticket_id
