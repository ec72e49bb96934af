"""Renewal alerts at 90, 60 and 30 days before a service contract ends, to both sides,
once each; and a renewal that the buyer turns into an RFQ to the same OEM.

The alerts are sent by a periodic task (`contracts.renewal_alerts`). A mark per contract,
threshold and end date (`contract_renewal_alert`) is written in the same transaction as
the `ContractRenewalDue` event, so a threshold fires once however often the task runs; a
contract first seen inside several thresholds gets one alert, for the nearest. The
notifications' subscriber turns the event into notices for both sides."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from services.actor import Actor, TenantKind, system_actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.clock import today_ist
from services.common.roles import RENEWERS
from services.contracts.models import Contract, ContractRenewalAlert
from services.contracts.service import SERVICE_KINDS, coverage, visible_contract
from services.db import system_session
from services.errors import Conflict, Forbidden, Invalid
from services.events.service import emit

THRESHOLDS = (90, 60, 30)
RENEWAL_RFQ_DAYS = 14


def _due_contracts(db: Session, today: date) -> list[Contract]:
    rows = db.execute(
        text(
            "SELECT id FROM contract WHERE kind = ANY(:kinds) AND status NOT IN "
            "('cancelled', 'draft', 'renewed') AND ends_on IS NOT NULL "
            "AND ends_on >= :today AND ends_on <= :last"
        ),
        {"kinds": list(SERVICE_KINDS), "today": today, "last": today + timedelta(max(THRESHOLDS))},
    ).all()
    return [db.get(Contract, row.id) for row in rows]


def _mark(db: Session, contract: Contract, thresholds: list[int]) -> list[int]:
    """Write the marks not yet written; returns the thresholds newly marked."""
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": contract.tenant_id,
            "contract_id": contract.id,
            "threshold_days": days,
            "ends_on": contract.ends_on,
            "sent_at": utcnow(),
        }
        for days in thresholds
    ]
    result = db.execute(
        insert(ContractRenewalAlert)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(ContractRenewalAlert.threshold_days)
    )
    return [row[0] for row in result]


def _announce(db: Session, contract: Contract, days: int, days_left: int) -> None:
    kind = db.execute(
        text("SELECT kind FROM tenant WHERE id = :t"), {"t": contract.tenant_id}
    ).scalar_one()
    emit(
        db,
        system_actor(contract.tenant_id, TenantKind(kind), "contracts"),
        "ContractRenewalDue",
        "contract",
        contract.id,
        {
            "label": contract.label,
            "kind": contract.kind,
            "endsOn": contract.ends_on.isoformat(),
            "thresholdDays": days,
            "daysLeft": days_left,
            "sellerId": str(contract.seller_tenant_id),
        },
    )


def send_renewal_alerts(today: date | None = None) -> list[dict[str, Any]]:
    """Send each renewal alert that has come due, once per contract and threshold.
    Returns what was sent: contract id and threshold."""
    today = today or today_ist()
    sent = []
    with system_session() as db:
        for contract in _due_contracts(db, today):
            days_left = (contract.ends_on - today).days
            crossed = [days for days in THRESHOLDS if days_left <= days]
            fresh = _mark(db, contract, crossed)
            if fresh:
                nearest = min(fresh)
                _announce(db, contract, nearest, days_left)
                sent.append({"contractId": str(contract.id), "thresholdDays": nearest})
    return sent


def request_renewal(db: Session, actor: Actor, contract_id: uuid.UUID) -> Any:
    """Turn a contract's renewal into an RFQ to its OEM for the same devices, open for
    quotes at once; the contract remembers it. Returns the RFQ (the caller schedules its
    expiry after the commit).

    Raises Forbidden (not the buyer's admin), NotFound, Invalid (a supply contract or no
    devices) or Conflict (a renewal RFQ is already open)."""
    from services.rfq.models import Rfq
    from services.rfq.service import NewRfq, RfqLine, create_rfq

    actor.require(*RENEWERS)
    contract = visible_contract(db, actor, contract_id)
    if contract.tenant_id != actor.tenant_id:
        raise Forbidden("Only the contract's buyer asks for its renewal")
    if contract.kind not in SERVICE_KINDS:
        raise Invalid("contractId", "only AMC, CMC and warranty contracts are renewed")
    if contract.renewal_rfq_id:
        previous = db.get(Rfq, contract.renewal_rfq_id)
        if previous is not None and previous.status in ("draft", "open", "negotiating"):
            raise Conflict(f"Renewal already asked for in RFQ-{previous.number}")
    counts = db.execute(
        text("SELECT sku_id, count(*) AS n FROM contract_devices(:c) GROUP BY sku_id"),
        {"c": contract.id},
    ).all()
    if not counts:
        raise Invalid("contractId", "the contract covers no devices to renew")
    cover = coverage(contract)
    rfq = create_rfq(
        db,
        actor,
        NewRfq(
            items=[RfqLine(sku=str(row.sku_id), qty=int(row.n)) for row in counts],
            expires_at=utcnow() + timedelta(days=RENEWAL_RFQ_DAYS),
            title=f"Renewal of {contract.label} ({contract.kind.upper()})",
            terms=_renewal_terms(contract, cover),
            oem_ids=[contract.seller_tenant_id],
        ),
    )
    contract.renewal_rfq_id = rfq.id
    db.add(contract)
    audit.record(db, actor, "contract.renewal", "contract", contract.id, f"RFQ-{rfq.number}")
    return rfq


def _renewal_terms(contract: Contract, cover: dict[str, Any]) -> str:
    covered = [name for name in ("parts", "labour") if cover[name]]
    return (
        f"{contract.kind.upper()} renewal from {contract.ends_on or 'the end of the term'}, "
        f"SLA tier {contract.sla_tier or 'silver'}, covering {' and '.join(covered) or 'labour'}, "
        f"{cover['preventiveVisitsPerYear']} preventive visits a year, "
        f"{cover['uptimePercent']:g}% uptime."
    )
