"""Monthly penalty statements per contract."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import IST_NAME
from services.contracts.models import Contract
from services.errors import Invalid, NotFound

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def monthly_statement(db: Session, contract_id: uuid.UUID, month: str) -> dict[str, Any]:
    """Tickets under a contract resolved in `month` (YYYY-MM, IST), with the penalties due.

    Raises Invalid (month) or NotFound (a contract the caller cannot see)."""
    match = MONTH.match(month or "")
    if not match:
        raise Invalid("month", "must look like 2026-11")
    contract = db.get(Contract, contract_id)
    if contract is None:
        raise NotFound("No contract with that id that you can see")
    start = date(int(match[1]), int(match[2]), 1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    rows = db.execute(
        text(
            "SELECT number, priority, opened_at, resolved_at, resolution_due_at, penalty_paise "
            "FROM ticket WHERE contract_id = :c AND resolved_at IS NOT NULL "
            f"AND (resolved_at AT TIME ZONE '{IST_NAME}')::date >= :s "
            f"AND (resolved_at AT TIME ZONE '{IST_NAME}')::date < :e ORDER BY resolved_at"
        ),
        {"c": contract_id, "s": start, "e": end},
    ).all()
    lines = [
        {
            "number": r.number,
            "priority": r.priority,
            "openedAt": r.opened_at.isoformat(),
            "resolvedAt": r.resolved_at.isoformat(),
            "lateMinutes": max(0, round((r.resolved_at - r.resolution_due_at).total_seconds() / 60))
            if r.resolution_due_at
            else 0,
            "penaltyPaise": r.penalty_paise,
        }
        for r in rows
    ]
    return {
        "contractId": str(contract.id),
        "month": month,
        "tickets": lines,
        "ticketsResolved": len(lines),
        "ticketsLate": sum(1 for line in lines if line["lateMinutes"] > 0),
        "penaltyTotalPaise": sum(line["penaltyPaise"] for line in lines),
    }
