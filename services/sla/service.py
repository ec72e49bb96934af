"""SLA clocks: deadlines from a policy's targets and calendar, pauses, penalties."""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from services.sla.calendar import Calendar, national_holidays
from services.sla.models import SlaPolicy
from services.tickets.models import Ticket

PRIORITIES = ("P1", "P2", "P3", "P4")
# Minutes to respond and to resolve, by tier and priority, when a contract sets none.
DEFAULT_TARGETS = {
    "platinum": {"P1": (15, 240), "P2": (60, 480), "P3": (240, 1440), "P4": (480, 2880)},
    "gold": {"P1": (30, 480), "P2": (120, 960), "P3": (480, 2880), "P4": (1440, 5760)},
    "silver": {"P1": (60, 960), "P2": (240, 1440), "P3": (960, 4320), "P4": (2880, 10080)},
    "bronze": {"P1": (120, 1440), "P2": (480, 2880), "P3": (1440, 5760), "P4": (2880, 14400)},
}


def default_targets(tier: str) -> dict:
    return {
        p: {"responseMinutes": r, "resolutionMinutes": s}
        for p, (r, s) in DEFAULT_TARGETS.get(tier, DEFAULT_TARGETS["silver"]).items()
    }


def calendar_of(policy: SlaPolicy | None, years: range | None = None) -> Calendar:
    """The policy's working calendar; business hours always skip national holidays."""
    if policy is None or policy.round_the_clock:
        return Calendar(round_the_clock=True)
    years = years or range(datetime.now().year - 1, datetime.now().year + 3)
    holidays = set(policy.holidays)
    for year in years:
        holidays |= set(national_holidays(year))
    return Calendar(
        round_the_clock=False,
        opens=policy.opens,
        closes=policy.closes,
        workdays=frozenset(policy.workdays),
        holidays=frozenset(holidays),
    )


def find_policy(db: Session, provider_id: uuid.UUID | None, tier: str | None) -> SlaPolicy | None:
    """The provider's policy for a tier. Read through a definer function: the customer
    opening a ticket may not list the provider's policies, only use the matching one."""
    if provider_id is None:
        return None
    row = (
        db.execute(
            text("SELECT * FROM sla_policy_for(:p, :t)"), {"p": provider_id, "t": tier or "silver"}
        )
        .mappings()
        .first()
    )
    return SlaPolicy(**row) if row else None


def _targets(policy: SlaPolicy | None, tier: str | None, priority: str) -> tuple[float, float]:
    targets = policy.targets if policy else default_targets(tier or "silver")
    chosen = targets.get(priority) or default_targets(tier or "silver")[priority]
    return float(chosen["responseMinutes"]), float(chosen["resolutionMinutes"])


def start_clocks(ticket: Ticket, policy: SlaPolicy | None, tier: str | None, now: datetime) -> None:
    response, resolution = _targets(policy, tier, ticket.priority)
    calendar = calendar_of(policy)
    ticket.response_due_at = calendar.add(now, response)
    ticket.resolution_due_at = calendar.add(now, resolution)


def pause_clocks(ticket: Ticket, policy: SlaPolicy | None, now: datetime) -> None:
    """Stop the clocks (on hold): keep the working minutes left, clear the deadlines."""
    calendar = calendar_of(policy)
    if ticket.response_due_at and ticket.responded_at is None:
        ticket.response_left_min = calendar.between(now, ticket.response_due_at)
        ticket.response_due_at = None
    if ticket.resolution_due_at:
        ticket.resolution_left_min = calendar.between(now, ticket.resolution_due_at)
        ticket.resolution_due_at = None


def resume_clocks(ticket: Ticket, policy: SlaPolicy | None, now: datetime) -> None:
    """Restart paused clocks with the minutes they had left."""
    calendar = calendar_of(policy)
    if ticket.response_left_min is not None:
        ticket.response_due_at = calendar.add(now, ticket.response_left_min)
        ticket.response_left_min = None
    if ticket.resolution_left_min is not None:
        ticket.resolution_due_at = calendar.add(now, ticket.resolution_left_min)
        ticket.resolution_left_min = None


def penalty_paise(ticket: Ticket, policy: SlaPolicy | None, at: datetime) -> int:
    """₹ per started hour past the resolution deadline, up to the policy's cap."""
    if policy is None or ticket.resolution_due_at is None or policy.penalty_per_hour_paise == 0:
        return 0
    end = ticket.resolved_at or at
    late_hours = (end - ticket.resolution_due_at).total_seconds() / 3600
    if late_hours <= 0:
        return 0
    amount = math.ceil(late_hours) * policy.penalty_per_hour_paise
    return min(amount, policy.penalty_cap_paise) if policy.penalty_cap_paise else amount
