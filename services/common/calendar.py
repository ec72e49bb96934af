"""Working-time calendars: round the clock, or business hours in IST without Sundays and
public holidays. The SLA clocks count working time with them; dispatch plans jobs within a
contract's working hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from services.common.clock import IST


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def national_holidays(year: int) -> dict[date, str]:
    """India's fixed national holidays and Good Friday. Festival holidays that follow the
    lunar calendar vary by year and state: add them to the policy's holiday list."""
    return {
        date(year, 1, 26): "Republic Day",
        date(year, 8, 15): "Independence Day",
        date(year, 10, 2): "Gandhi Jayanti",
        date(year, 12, 25): "Christmas",
        easter(year) - timedelta(days=2): "Good Friday",
    }


@dataclass(frozen=True)
class Calendar:
    round_the_clock: bool = True
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    workdays: frozenset[int] = frozenset(range(6))  # Monday..Saturday
    holidays: frozenset[date] = field(default_factory=frozenset)

    def _is_workday(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def hours_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of `day` in IST (the whole day round the clock), or None on
        a day off."""
        if self.round_the_clock:
            midnight = datetime.combine(day, time(0), IST)
            return midnight, midnight + timedelta(days=1)
        if not self._is_workday(day):
            return None
        return datetime.combine(day, self.opens, IST), datetime.combine(day, self.closes, IST)

    def _next_opening(self, moment: datetime) -> datetime:
        """The moment itself when open, else the next opening time (IST)."""
        local = moment.astimezone(IST)
        day = local.date()
        while True:
            opens = datetime.combine(day, self.opens, IST)
            closes = datetime.combine(day, self.closes, IST)
            if self._is_workday(day) and local < closes:
                return max(local, opens)
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), IST)

    def add(self, start: datetime, minutes: float) -> datetime:
        """The moment `minutes` of working time after `start`."""
        if self.round_the_clock:
            return start + timedelta(minutes=minutes)
        cursor, remaining = self._next_opening(start), timedelta(minutes=minutes)
        while True:
            closes = datetime.combine(cursor.date(), self.closes, IST)
            if cursor + remaining <= closes:
                return cursor + remaining
            remaining -= closes - cursor
            cursor = self._next_opening(closes + timedelta(seconds=1))

    def between(self, start: datetime, end: datetime) -> float:
        """Minutes of working time from `start` to `end` (0 if end is earlier)."""
        if end <= start:
            return 0.0
        if self.round_the_clock:
            return (end - start).total_seconds() / 60
        total, cursor = timedelta(0), self._next_opening(start)
        while cursor < end:
            closes = datetime.combine(cursor.date(), self.closes, IST)
            total += min(closes, end) - cursor
            cursor = self._next_opening(closes + timedelta(seconds=1))
        return total.total_seconds() / 60


def business_calendar(
    opens: time, closes: time, workdays: Iterable[int], holidays: Iterable[date], years: range
) -> Calendar:
    """Business hours on `workdays` (0 Monday), closed on `holidays` and on India's
    national holidays of `years`."""
    closed = set(holidays)
    for year in years:
        closed |= set(national_holidays(year))
    return Calendar(
        round_the_clock=False,
        opens=opens,
        closes=closes,
        workdays=frozenset(workdays),
        holidays=frozenset(closed),
    )
