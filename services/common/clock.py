"""India's time: stored in UTC, shown and counted in IST.

Every module that needs India's date or shows a time to a user reads it from here, so the
zone is named once (`IST_NAME` for SQL, `IST` for Python)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

IST_NAME = "Asia/Kolkata"
IST = ZoneInfo(IST_NAME)


def now_ist() -> datetime:
    """The current moment in India's time zone."""
    return datetime.now(IST)


def today_ist() -> date:
    """India's date now, whatever the server's own zone."""
    return now_ist().date()


def ist_text(stamp: str | datetime | None, fmt: str = "%d %b %Y %H:%M", empty: str = "") -> str:
    """An ISO time stamp (or aware datetime) shown in IST with `fmt`; `empty` when there is
    none."""
    if not stamp:
        return empty
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    return moment.astimezone(IST).strftime(fmt)
