"""A contract's figures over a period: uptime per device against the promise, SLA
compliance, first-time fix and penalties under the cap.

Downtime is the time a device had a P1 or P2 ticket open (a P1 stops the device, a P2
takes out what it is bought for), from opening to resolution, overlapping outages counted
once. Preventive and lower-priority work does not count as downtime.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import IST
from services.contracts.models import Contract

DOWN_PRIORITIES = ("P1", "P2")
DEFAULT_UPTIME_PERCENT = Decimal("95")


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC-aware datetimes."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds())


def month_period(year: int, month: int) -> Period:
    """The calendar month in IST."""
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    return Period(datetime.combine(first, time(0), IST), datetime.combine(after, time(0), IST))


def contract_period(contract: Contract, period: Period, now: datetime) -> Period:
    """`period` cut to the contract's own dates and to now."""
    start, end = period.start, min(period.end, now)
    if contract.starts_on:
        start = max(start, datetime.combine(contract.starts_on, time(0), IST))
    if contract.ends_on:
        end = min(end, datetime.combine(contract.ends_on + timedelta(days=1), time(0), IST))
    return Period(start, max(start, end))


def percent(part: float, whole: float) -> Decimal | None:
    """part/whole as a per cent with two decimals; None when there is nothing to count."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def downtime_seconds(outages: list[tuple[datetime, datetime | None]], period: Period) -> float:
    """Seconds of `period` covered by the outages (open ones last to the period's end),
    overlaps counted once."""
    cut = sorted(
        (max(start, period.start), min(end or period.end, period.end))
        for start, end in outages
        if start < period.end and (end is None or end > period.start)
    )
    total, reach = 0.0, period.start
    for start, end in cut:
        start = max(start, reach)
        if end > start:
            total += (end - start).total_seconds()
            reach = end
    return total


def tickets_of(db: Session, contract_id: uuid.UUID) -> list[Any]:
    """The contract's tickets, whoever services them, for either side of the contract."""
    return list(
        db.execute(
            text(
                "SELECT id, number, equipment_id, priority, status, source, opened_at, resolved_at, "
                "response_due_at, resolution_due_at, responded_at, penalty_paise, reopen_count "
                "FROM contract_tickets(:c)"
            ),
            {"c": contract_id},
        ).all()
    )


def device_uptime(
    tickets: list[Any], device_id: uuid.UUID, period: Period
) -> tuple[Decimal | None, float]:
    """(uptime %, downtime hours) of one device over the period."""
    outages = [
        (t.opened_at, t.resolved_at)
        for t in tickets
        if t.equipment_id == device_id
        and t.priority in DOWN_PRIORITIES
        and t.source != "preventive"
        and t.status != "cancelled"
    ]
    down = downtime_seconds(outages, period)
    if period.seconds <= 0:
        return None, 0.0
    return percent(period.seconds - down, period.seconds), round(down / 3600, 2)


def sla_figures(contract: Contract, tickets: list[Any], period: Period) -> dict[str, Any]:
    """Tickets resolved in the period: how many met both SLA clocks, how many were fixed
    the first time, and the penalties earned, capped by the contract's monthly cap."""
    resolved = [
        t
        for t in tickets
        if t.resolved_at is not None and period.start <= t.resolved_at < period.end
    ]
    met = [
        t
        for t in resolved
        if (t.resolution_due_at is None or t.resolved_at <= t.resolution_due_at)
        and (t.response_due_at is None or (t.responded_at or t.resolved_at) <= t.response_due_at)
    ]
    first_time = [t for t in resolved if t.reopen_count == 0]
    earned = sum(t.penalty_paise or 0 for t in resolved)
    cap = int((contract.terms or {}).get("penaltyCapPaise") or 0)
    return {
        "ticketsResolved": len(resolved),
        "ticketsWithinSla": len(met),
        "slaCompliancePercent": _num(percent(len(met), len(resolved))),
        "firstTimeFixPercent": _num(percent(len(first_time), len(resolved))),
        "penaltyEarnedPaise": earned,
        "penaltyCapPaise": cap or None,
        "penaltyDuePaise": min(earned, cap) if cap else earned,
    }


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def uptime_promise(contract: Contract) -> Decimal:
    """The uptime the contract promises, per cent (95 when the terms set none)."""
    return Decimal(str((contract.terms or {}).get("uptimePercent") or DEFAULT_UPTIME_PERCENT))
