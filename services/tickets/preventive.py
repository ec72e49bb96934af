"""Preventive maintenance: the visits a contract promises (visits per year), spread
evenly over its term for each covered device, each opened as a P4 ticket with source
`preventive` a fortnight before it is due, so dispatch plans it like any open job.

A slot is one row of `preventive_visit` (contract, device, due date), so a slot is
planned once however often the periodic task (`contracts.plan_preventive`) runs."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from services.actor import Actor, Role, TenantKind
from services.common.clock import today_ist
from services.contracts.models import Contract, PreventiveVisit
from services.db import system_session, tenant_session
from services.tenancy.models import Tenant
from services.tickets.service import open_ticket

LEAD_DAYS = 14  # a visit becomes a ticket this long before it is due
MISSED_DAYS = 30  # a slot further past than this was missed: no ticket is opened late
OWNER_ROLE = {TenantKind.HOSPITAL_CHAIN: Role.BUYER_ADMIN, TenantKind.LAB_CHAIN: Role.LAB_STAFF}


def visit_dates(starts_on: date, ends_on: date, per_year: int) -> list[date]:
    """The due dates of `per_year` visits a year, evenly spaced from the start, within the
    term (the first one interval after the start)."""
    if per_year <= 0 or ends_on <= starts_on:
        return []
    step = 365 / per_year
    dates, k = [], 1
    while (due := starts_on + timedelta(days=round(k * step))) <= ends_on:
        dates.append(due)
        k += 1
    return dates


def _slots_due(today: date) -> list[tuple[Contract, uuid.UUID, date, int, int]]:
    """(contract, device, due date, visit number, visits in the term) of every slot due
    within LEAD_DAYS (or overdue by up to MISSED_DAYS) and not yet planned."""
    found = []
    with system_session() as db:
        contracts = db.execute(
            text(
                "SELECT * FROM contract WHERE kind IN ('amc', 'cmc') AND status = 'active' "
                "AND starts_on IS NOT NULL AND ends_on IS NOT NULL AND ends_on >= :today "
                "AND coalesce((terms->>'preventiveVisitsPerYear')::int, 0) > 0"
            ),
            {"today": today},
        ).mappings()
        for row in list(contracts):
            contract = Contract(**row)
            per_year = int(contract.terms["preventiveVisitsPerYear"])
            dates = visit_dates(contract.starts_on, contract.ends_on, per_year)
            devices = db.execute(
                text(
                    "SELECT id FROM equipment WHERE contract_id = :c "
                    "AND service_state = 'in_service'"
                ),
                {"c": contract.id},
            ).scalars()
            planned = {
                (r.equipment_id, r.due_on)
                for r in db.execute(
                    text(
                        "SELECT equipment_id, due_on FROM preventive_visit WHERE contract_id = :c"
                    ),
                    {"c": contract.id},
                )
            }
            for device in list(devices):
                for n, due in enumerate(dates, 1):
                    coming = today - timedelta(MISSED_DAYS) <= due <= today + timedelta(LEAD_DAYS)
                    if coming and (device, due) not in planned:
                        found.append((contract, device, due, n, len(dates)))
    return found


def plan_preventive(
    today: date | None = None, contract_ids: set[uuid.UUID] | None = None
) -> list[dict[str, Any]]:
    """Open a P4 preventive ticket for each visit slot coming due (of `contract_ids` only,
    when given); returns what was planned (contract, device, due date, ticket). A slot
    already planned is skipped."""
    today = today or today_ist()
    planned = []
    for contract, device_id, due, n, total in _slots_due(today):
        if contract_ids is not None and contract.id not in contract_ids:
            continue
        with system_session() as db:
            kind = TenantKind(db.get(Tenant, contract.tenant_id).kind)
        role = OWNER_ROLE.get(kind, Role.BUYER_ADMIN)
        actor = Actor(None, contract.tenant_id, kind, frozenset({role}), "Preventive maintenance")
        with tenant_session(actor) as db:
            claimed = db.execute(
                insert(PreventiveVisit)
                .values(
                    id=uuid.uuid4(),
                    tenant_id=contract.tenant_id,
                    contract_id=contract.id,
                    equipment_id=device_id,
                    due_on=due,
                )
                .on_conflict_do_nothing()
                .returning(PreventiveVisit.id)
            ).scalar()
            if claimed is None:
                continue
            ticket = open_ticket(
                db,
                actor,
                device_id,
                "P4",
                None,
                f"Preventive maintenance visit {n} of {total} under {contract.label}, "
                f"due {due:%d %b %Y}",
                "preventive",
            )
            db.execute(
                text("UPDATE preventive_visit SET ticket_id = :t WHERE id = :v"),
                {"t": ticket.id, "v": claimed},
            )
            planned.append(
                {
                    "contractId": str(contract.id),
                    "deviceId": str(device_id),
                    "dueOn": due.isoformat(),
                    "ticketId": str(ticket.id),
                }
            )
    return planned
