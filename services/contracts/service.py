"""Reading contracts: the buyer's own, and for the seller every customer's, each with its
coverage, devices, uptime against the promise, SLA compliance, penalties and preventive
visits."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.columns import utcnow
from services.common.clock import today_ist
from services.common.roles import CONTRACT_VIEWERS
from services.contracts import figures
from services.contracts.models import Contract, PreventiveVisit
from services.errors import Invalid, NotFound
from services.tenancy.service import directory

SERVICE_KINDS = ("amc", "cmc", "warranty")
MONTH_FORMAT = "%Y-%m"


def coverage(contract: Contract) -> dict[str, Any]:
    """What the contract covers, read from its terms (a CMC covers parts, an AMC labour)."""
    terms = contract.terms or {}
    return {
        "parts": bool(terms.get("parts", contract.kind == "cmc")),
        "labour": bool(terms.get("labour", contract.kind in ("amc", "cmc", "warranty"))),
        "preventiveVisitsPerYear": int(terms.get("preventiveVisitsPerYear") or 0),
        "uptimePercent": float(figures.uptime_promise(contract)),
        "penaltyCapPaise": int(terms.get("penaltyCapPaise") or 0) or None,
        "reopenWindowDays": int(terms.get("reopenWindowDays") or 7),
    }


def parse_month(month: str | None) -> figures.Period:
    """A YYYY-MM month (IST) as a period; this month when none is given. Raises Invalid."""
    if not month:
        today = today_ist()
        return figures.month_period(today.year, today.month)
    try:
        moment = datetime.strptime(month, MONTH_FORMAT)
    except ValueError:
        raise Invalid("month", "must look like 2026-11") from None
    if not 2000 <= moment.year <= 2100:
        raise Invalid("month", "must be a month between 2000 and 2100")
    return figures.month_period(moment.year, moment.month)


def _summary(contract: Contract, names: dict) -> dict[str, Any]:
    days_left = (contract.ends_on - today_ist()).days if contract.ends_on else None
    return {
        "contractId": str(contract.id),
        "label": contract.label,
        "kind": contract.kind,
        "status": contract.status,
        "slaTier": contract.sla_tier,
        "buyer": names.get(contract.tenant_id, ("",))[0],
        "seller": names.get(contract.seller_tenant_id, ("",))[0],
        "startsOn": contract.starts_on.isoformat() if contract.starts_on else None,
        "endsOn": contract.ends_on.isoformat() if contract.ends_on else None,
        "daysLeft": days_left,
        "valuePaise": contract.value_paise,
        "coverage": coverage(contract),
        "renewalRfqId": str(contract.renewal_rfq_id) if contract.renewal_rfq_id else None,
    }


def list_contracts(
    db: Session, actor: Actor, kind: str | None = None, service_only: bool = True
) -> list[dict[str, Any]]:
    """The contracts the actor's organisation holds as buyer or seller, ending soonest
    first, each with its device count. Raises Forbidden or Invalid (kind)."""
    actor.require(*CONTRACT_VIEWERS)
    stmt = select(Contract).order_by(Contract.ends_on.nulls_last(), Contract.number)
    if kind:
        if kind not in ("supply", *SERVICE_KINDS):
            raise Invalid("kind", "must be supply, amc, cmc or warranty")
        stmt = stmt.where(Contract.kind == kind)
    elif service_only:
        stmt = stmt.where(Contract.kind.in_(SERVICE_KINDS))
    contracts = list(db.exec(stmt.limit(500)))
    names = directory(db)
    out = []
    for contract in contracts:
        row = _summary(contract, names)
        row["deviceCount"] = db.execute(
            text("SELECT count(*) FROM contract_devices(:c)"), {"c": contract.id}
        ).scalar_one()
        out.append(row)
    return out


def visible_contract(db: Session, actor: Actor, contract_id: uuid.UUID) -> Contract:
    """The contract if the actor's organisation is its buyer or seller. Raises NotFound."""
    actor.require(*CONTRACT_VIEWERS)
    contract = db.get(Contract, contract_id)
    if contract is None:
        raise NotFound("No contract with that id that you can see")
    return contract


def get_contract(
    db: Session, actor: Actor, contract_id: uuid.UUID, month: str | None = None
) -> dict[str, Any]:
    """One contract with its devices and the month's figures (the last 30 days when no
    month is given):
    per device uptime against the promise and downtime hours; SLA compliance, first-time
    fix and penalties under the cap; preventive visits done and due.

    Raises Forbidden, NotFound or Invalid (month)."""
    contract = visible_contract(db, actor, contract_id)
    now = utcnow()
    asked = parse_month(month) if month else figures.Period(now - timedelta(days=30), now)
    period = figures.contract_period(contract, asked, now)
    tickets = figures.tickets_of(db, contract.id)
    promise = figures.uptime_promise(contract)
    devices = []
    for d in db.execute(text("SELECT * FROM contract_devices(:c)"), {"c": contract.id}).all():
        uptime, down_hours = figures.device_uptime(tickets, d.id, period)
        devices.append(
            {
                "deviceId": str(d.id),
                "serial": d.serial_number,
                "skuCode": d.sku_code,
                "name": d.sku_name,
                "category": d.category,
                "site": d.facility or "",
                "serviceState": d.service_state,
                "uptimePercent": float(uptime) if uptime is not None else None,
                "downtimeHours": down_hours,
                "meetsPromise": uptime is None or uptime >= promise,
            }
        )
    detail = _summary(contract, directory(db))
    detail.update(
        {
            "month": month or "last 30 days",
            "periodStart": period.start.isoformat(),
            "periodEnd": period.end.isoformat(),
            "devices": devices,
            "sla": figures.sla_figures(contract, tickets, period),
            "preventive": preventive_figures(db, contract, tickets),
        }
    )
    return detail


def preventive_figures(db: Session, contract: Contract, tickets: list[Any]) -> dict[str, Any]:
    """Preventive visits of the contract so far: planned, done (their ticket resolved or
    closed), due (date passed, not done) and the next one."""
    status = {t.id: t.status for t in tickets}
    visits = list(
        db.exec(
            select(PreventiveVisit)
            .where(PreventiveVisit.contract_id == contract.id)
            .order_by(PreventiveVisit.due_on)
        )
    )
    today = today_ist()
    done = [v for v in visits if status.get(v.ticket_id) in ("resolved", "closed")]
    overdue = [v for v in visits if v not in done and v.due_on <= today]
    upcoming = [v for v in visits if v not in done and v.due_on > today]
    per_year = coverage(contract)["preventiveVisitsPerYear"]
    return {
        "perYear": per_year,
        "planned": len(visits),
        "done": len(done),
        "due": len(overdue),
        "nextDueOn": upcoming[0].due_on.isoformat() if upcoming else None,
    }
