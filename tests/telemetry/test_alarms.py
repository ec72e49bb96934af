"""Alarms: a value wandering around a limit raises one alarm and one ticket (source
`telemetry`, with the evidence chart), and the alarm clears when readings recover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from services.telemetry.alarms import Watch
from services.telemetry.ingest import Device, Reading, connect, store
from tests.factories import make_org, make_served_device


def _device(sku: str) -> Device:
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device_id = make_served_device(hospital, None, sku).device_id
    with system_session() as db:
        oem = db.execute(
            text("SELECT manufacturer_tenant_id FROM equipment WHERE id = :d"), {"d": device_id}
        ).scalar_one()
    return Device(device_id, hospital.tenant.id, oem, "CT" if sku == "MVI-CT128" else "MRI")


def _feed(watch: Watch, device: Device, start: datetime, values: list[float]) -> None:
    readings = [
        Reading(device, start + timedelta(seconds=10 * i), i, {"temperature_c": v})
        for i, v in enumerate(values)
    ]
    with connect() as con:
        store(con, readings, [])
    watch.observe(readings)


def _alarms(device: Device) -> list[tuple[str, str]]:
    with system_session() as db:
        return [
            tuple(r)
            for r in db.execute(
                text("SELECT rule, state FROM telemetry_alarm WHERE device_id = :d"),
                {"d": device.id},
            )
        ]


def _tickets(device: Device) -> list:
    with system_session() as db:
        return db.execute(
            text(
                "SELECT t.id, t.priority, t.source, t.description, "
                "(SELECT count(*) FROM ticket_attachment a WHERE a.ticket_id = t.id) AS charts,"
                " (SELECT string_agg(e.note, ' | ') FROM ticket_event e"
                "   WHERE e.ticket_id = t.id AND e.kind = 'comment') AS notes"
                " FROM ticket t WHERE t.equipment_id = :d"
            ),
            {"d": device.id},
        ).all()


def test_a_flapping_temperature_raises_one_alarm_and_one_ticket_then_clears():
    device = _device("MVI-CT128")
    start = datetime.now(UTC) - timedelta(minutes=30)
    watch = Watch()

    _feed(watch, device, start, [46, 44, 46.5, 44, 47, 43.5, 46, 44, 46, 45.5, 46, 44] * 3)

    assert _alarms(device) == [("overheating", "open")]
    (ticket,) = _tickets(device)
    assert ticket.source == "telemetry"
    assert ticket.priority == "P1"  # a P2 rule on a class C scanner
    assert "internal temperature above 45" in ticket.description
    assert ticket.charts == 1

    _feed(watch, device, start + timedelta(minutes=10), [41.0, 40.5])

    assert _alarms(device) == [("overheating", "cleared")]
    (ticket,) = _tickets(device)
    assert "cleared" in ticket.notes


def test_a_brief_spike_shorter_than_the_minimum_duration_raises_nothing():
    device = _device("MVI-MR15")
    start = datetime.now(UTC) - timedelta(minutes=30)
    watch = Watch()

    _feed(watch, device, start, [30, 50, 50, 30, 30])

    assert _alarms(device) == [("overheating", "cleared")]
    assert _tickets(device) == []


def test_a_device_that_falls_silent_raises_an_alarm_that_clears_when_it_speaks_again():
    device = _device("MVI-MR15")
    start = datetime.now(UTC) - timedelta(minutes=30)
    watch = Watch()
    _feed(watch, device, start, [30, 30])

    watch.check_silence(datetime.now(UTC) + timedelta(minutes=11))

    assert _alarms(device) == [("silent", "open")]
    (ticket,) = _tickets(device)
    assert "no telemetry for 10 minutes" in ticket.description

    _feed(watch, device, start + timedelta(minutes=20), [30])

    assert _alarms(device) == [("silent", "cleared")]


def test_a_tube_arcing_faster_than_its_rate_raises_an_alarm():
    device = _device("MVI-CT128")
    start = datetime.now(UTC) - timedelta(minutes=30)
    watch = Watch()
    counts = [100, 101, 102, 110, 120, 130]  # arcs, one reading a minute: then 8-10 a minute
    readings = [
        Reading(device, start + timedelta(minutes=i), i, {"arc_count": c})
        for i, c in enumerate(counts)
    ]
    with connect() as con:
        store(con, readings, [])

    watch.observe(readings)

    assert _alarms(device) == [("arcing", "open")]
    (ticket,) = _tickets(device)
    assert "arcing more than 5 times a minute" in ticket.description
