"""Analyzer health: a silent or faulty analyzer gets a service ticket for its device, with
the evidence, once; the alarm closes when messages flow again; nights are not silence."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from services.common.clock import IST
from services.db import system_session, tenant_session
from services.lab.health import check_analyzers
from services.tickets.service import get_ticket
from tests.factories import PASSWORD
from tests.lab.console_lab import add_message, make_lab

# A Tuesday, mid-morning in IST: within the default lab hours (08:00-20:00, Mon-Sat).
TUESDAY_11 = datetime(2026, 12, 1, 11, 0, tzinfo=IST)


@pytest.fixture(scope="module")
def first():
    return make_lab()


def _alarms(lab):
    with system_session() as db:
        return db.execute(
            text(
                "SELECT kind, ticket_id, closed_at, error_count FROM lab_alarm "
                "WHERE channel_id = :c ORDER BY opened_at"
            ),
            {"c": lab.channel_id},
        ).all()


def test_a_silent_analyzer_opens_one_ticket_for_its_device_and_closes_when_it_speaks(first):
    lab = make_lab(silent_after=30, beside=first)
    add_message(lab, at=TUESDAY_11 - timedelta(minutes=50))
    add_message(lab, state="error", at=TUESDAY_11 - timedelta(minutes=45))
    outcome = check_analyzers(TUESDAY_11, lab.org.tenant.id)
    assert len(outcome.opened) == 1
    check_analyzers(TUESDAY_11 + timedelta(minutes=1), lab.org.tenant.id)  # no second ticket
    [alarm] = _alarms(lab)
    assert alarm.kind == "silent" and alarm.closed_at is None
    with tenant_session(lab.partner.actor) as db:  # the service side sees it
        ticket = get_ticket(db, alarm.ticket_id)
    assert ticket["source"] == "lab" and ticket["priority"] == "P2"
    assert ticket["deviceId"] == str(lab.device_id)
    assert "Last message: 01 Dec 2026 10:15 IST" in ticket["description"]
    assert "1 message(s) that could not be processed" in ticket["description"]

    add_message(lab, at=TUESDAY_11 + timedelta(minutes=5))
    outcome = check_analyzers(TUESDAY_11 + timedelta(minutes=6), lab.org.tenant.id)
    assert len(outcome.closed) == 1
    [alarm] = _alarms(lab)
    assert alarm.closed_at is not None
    with tenant_session(lab.partner.actor) as db:
        notes = [e["note"] for e in get_ticket(db, alarm.ticket_id)["history"]]
    assert any("flow again" in n for n in notes)


def test_an_analyzer_reporting_faults_opens_a_ticket_with_the_error_count(first):
    lab = make_lab(silent_after=600, beside=first)
    for minutes in range(5):
        add_message(lab, state="error", at=TUESDAY_11 - timedelta(minutes=minutes))
    check_analyzers(TUESDAY_11, lab.org.tenant.id)
    [alarm] = _alarms(lab)
    assert (alarm.kind, alarm.error_count) == ("faults", 5)


def test_silence_outside_the_labs_working_hours_opens_nothing(first):
    lab = make_lab(silent_after=30, beside=first)
    saturday_night = datetime(2026, 12, 5, 23, 0, tzinfo=IST)
    add_message(lab, at=saturday_night - timedelta(hours=3))
    assert check_analyzers(saturday_night, lab.org.tenant.id).opened == []
    sunday_noon = saturday_night + timedelta(hours=13)  # Sunday: the lab is closed
    assert check_analyzers(sunday_noon, lab.org.tenant.id).opened == []
    assert _alarms(lab) == []


def test_a_lab_open_round_the_clock_is_watched_on_sundays_too(first, client, auth):
    lab = make_lab(silent_after=30, beside=first)
    headers = auth(lab.org.email, PASSWORD)
    url = f"/api/v1/lab/channels/{lab.channel_id}/watch"
    bad = client.put(url, json={"opens": "9 am"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "opens"
    ok = client.put(url, json={"roundTheClock": True, "faultsPerHour": 3}, headers=headers)
    assert ok.status_code == 200 and ok.json()["roundTheClock"] is True
    sunday_noon = datetime(2026, 12, 6, 12, 0, tzinfo=IST)
    add_message(lab, at=sunday_noon - timedelta(hours=2))
    assert len(check_analyzers(sunday_noon, lab.org.tenant.id).opened) == 1


def test_an_analyzer_not_yet_connected_is_not_called_silent(first):
    lab = make_lab(silent_after=1, beside=first)
    check_analyzers(TUESDAY_11 + timedelta(days=7), lab.org.tenant.id)
    assert _alarms(lab) == []
