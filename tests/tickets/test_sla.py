"""SLA clocks: business hours, public holidays, pauses and penalties."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from services.sla.calendar import IST, Calendar, easter, national_holidays
from services.sla.models import SlaPolicy
from services.sla.service import calendar_of, pause_clocks, penalty_paise, resume_clocks
from services.tickets.models import Ticket

BUSINESS = Calendar(
    round_the_clock=False,
    opens=time(9),
    closes=time(18),
    holidays=frozenset(national_holidays(2026)),
)


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


def test_business_hours_skip_nights_sundays_and_holidays():
    # Saturday 24 Jan 2026, 17:00: one hour left that day; Sunday off; Monday 26 Jan is
    # Republic Day; so four hours end on Tuesday at 12:00.
    assert BUSINESS.add(at(24, 17), 240) == at(27, 12)
    without_holiday = Calendar(round_the_clock=False, opens=time(9), closes=time(18))
    assert without_holiday.add(at(24, 17), 240) == at(26, 12)
    # Opened at night: the clock starts at opening time.
    assert BUSINESS.add(at(22, 23), 60) == at(23, 10)


def test_round_the_clock_counts_every_minute():
    assert Calendar().add(at(24, 23), 120) == at(25, 1)


def test_working_minutes_between_two_moments():
    assert BUSINESS.between(at(24, 17), at(27, 12)) == 240
    assert BUSINESS.between(at(27, 12), at(24, 17)) == 0


def test_good_friday_follows_easter():
    assert easter(2026) == date(2026, 4, 5)
    assert national_holidays(2026)[date(2026, 4, 3)] == "Good Friday"


def test_time_on_hold_is_not_counted():
    policy = SlaPolicy(name="x", tier="gold", round_the_clock=True, targets={})
    ticket = Ticket(
        tenant_id=None, priority="P1", response_due_at=at(24, 12), resolution_due_at=at(24, 16)
    )
    pause_clocks(ticket, policy, at(24, 11))
    assert ticket.response_due_at is None and ticket.resolution_due_at is None
    resume_clocks(ticket, policy, at(24, 15))  # four hours on hold
    assert ticket.response_due_at == at(24, 16)
    assert ticket.resolution_due_at == at(24, 20)


def test_pause_in_business_hours_carries_working_minutes_over_a_holiday():
    policy = SlaPolicy(
        name="x",
        tier="silver",
        round_the_clock=False,
        opens=time(9),
        closes=time(18),
        workdays=[0, 1, 2, 3, 4, 5],
        holidays=[],
        targets={},
    )
    ticket = Ticket(tenant_id=None, priority="P2", resolution_due_at=at(24, 17, 30))
    pause_clocks(ticket, policy, at(24, 16, 30))  # 60 working minutes left
    assert ticket.resolution_left_min == 60
    resume_clocks(ticket, policy, at(24, 17, 45))
    # 15 minutes on Saturday, Sunday off, Republic Day off, 45 minutes on Tuesday.
    assert ticket.resolution_due_at == at(27, 9, 45)
    assert calendar_of(policy).holidays >= {date(2026, 1, 26)}


def test_penalty_per_started_hour_up_to_the_cap():
    policy = SlaPolicy(
        name="x",
        tier="gold",
        targets={},
        penalty_per_hour_paise=5_000_00,
        penalty_cap_paise=12_000_00,
    )
    ticket = Ticket(tenant_id=None, priority="P1", resolution_due_at=at(24, 12))
    assert penalty_paise(ticket, policy, at(24, 11)) == 0
    assert penalty_paise(ticket, policy, at(24, 12, 1)) == 5_000_00
    assert penalty_paise(ticket, policy, at(24, 13, 30)) == 10_000_00
    assert penalty_paise(ticket, policy, at(24, 23)) == 12_000_00
    ticket.resolved_at = at(24, 12) + timedelta(minutes=20)
    assert penalty_paise(ticket, policy, at(25, 12)) == 5_000_00
