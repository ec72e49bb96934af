"""Times are stored in UTC and shown in India's time; India's date is the one that counts."""

from __future__ import annotations

from datetime import UTC, datetime

from services.common.clock import IST, ist_text, today_ist


def test_a_utc_stamp_shows_in_ist():
    assert ist_text("2026-01-31T20:00:00+00:00") == "01 Feb 2026 01:30"
    assert ist_text(datetime(2026, 1, 31, 20, tzinfo=UTC), "%H:%M") == "01:30"


def test_no_stamp_shows_what_the_page_asks_for():
    assert ist_text(None, empty="—") == "—" and ist_text("") == ""


def test_today_is_india_s_date():
    assert today_ist() == datetime.now(UTC).astimezone(IST).date()
