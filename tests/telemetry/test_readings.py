"""Metric schemas per device type, and reading stored telemetry back as a window."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.errors import Invalid
from services.telemetry.readings import window
from services.telemetry.schema import check_metrics, metrics_of
from tests.factories import make_org, make_served_device


def test_every_device_type_reports_its_temperature_and_its_own_metrics():
    mri = metrics_of("MRI")
    assert "temperature_c" in mri and "helium_level_pct" in mri
    assert mri["helium_level_pct"].unit == "%"
    assert "temperature_c" in metrics_of("Dental CBCT")


@pytest.mark.parametrize(
    ("metrics", "field"),
    [
        ({"helium_level_pct": "high"}, "metrics.helium_level_pct"),
        ({"arc_count": 3}, "metrics.arc_count"),
        ({"temperature_c": 900}, "metrics.temperature_c"),
        ([], "metrics"),
    ],
)
def test_a_bad_metric_is_refused_naming_it(metrics, field):
    with pytest.raises(Invalid) as refused:
        check_metrics("MRI", metrics)
    assert refused.value.field == field


def test_the_owner_reads_a_window_of_its_device_and_a_stranger_reads_nothing():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device = make_served_device(hospital, None, "MVI-MR15").device_id
    t0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    with system_session() as db:
        oem = db.execute(
            text("SELECT manufacturer_tenant_id FROM equipment WHERE id = :d"), {"d": device}
        ).scalar_one()
        for i in range(3):
            db.execute(
                text(
                    "INSERT INTO telemetry_reading (tenant_id, oem_tenant_id, device_id, ts, seq,"
                    " metrics) VALUES (:t, :o, :d, :ts, :seq, CAST(:m AS jsonb))"
                ),
                {
                    "t": hospital.tenant.id,
                    "o": oem,
                    "d": device,
                    "ts": t0 + timedelta(minutes=i),
                    "seq": i,
                    "m": f'{{"temperature_c": {20 + i}, "helium_level_pct": 80}}',
                },
            )

    with tenant_session(hospital.actor) as db:
        points = window(db, device, t0, t0 + timedelta(minutes=2), ["temperature_c"])
        both = window(db, device, t0, t0 + timedelta(hours=1))
    with tenant_session(stranger.actor) as db:
        nothing = window(db, device, t0, t0 + timedelta(hours=1))

    assert points == [
        (t0, "temperature_c", 20.0),
        (t0 + timedelta(minutes=1), "temperature_c", 21.0),
    ]
    assert len(both) == 6
    assert nothing == []


def _new_mri():
    """An MRI of a new hospital, as the ingest knows a device."""
    from services.telemetry.ingest import Device

    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device_id = make_served_device(hospital, None, "MVI-MR15").device_id
    with system_session() as db:
        oem = db.execute(
            text("SELECT manufacturer_tenant_id FROM equipment WHERE id = :d"), {"d": device_id}
        ).scalar_one()
    return Device(device_id, hospital.tenant.id, oem, "MRI")


def test_a_payload_with_a_nul_byte_is_quarantined_not_lost():
    from services.telemetry.ingest import Refusal, connect, parse, store

    device = _new_mri()
    device_id = device.id
    payload = b'{"ts": "2026-11-30T10:00:00Z", "seq": 1, "metrics": {"temp\\u0000": 1}}\x00'

    refused = parse(device, "t", payload, datetime(2026, 11, 30, 10, 1, tzinfo=UTC))
    with connect() as con:
        store(con, [], [refused])

    assert isinstance(refused, Refusal)
    with system_session() as db:
        kept = db.execute(
            text("SELECT payload, reason FROM telemetry_quarantine WHERE device_id = :d"),
            {"d": device_id},
        ).one()
    assert kept.payload.endswith("\\u0000")
    assert "not JSON" in kept.reason


def test_a_payload_that_is_not_utf8_is_refused_with_the_reason_it_reads_as():
    from services.telemetry.ingest import Device, Refusal, parse

    device = Device(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "MRI")
    payload = b'{"ts": "2026-11-30T10:00:00Z", "seq": 1, "metrics": {"temperature_c\xff": 1}}'

    refused = parse(device, "t", payload, datetime(2026, 11, 30, 10, 1, tzinfo=UTC))

    assert isinstance(refused, Refusal)
    assert "is not a metric of MRI" in refused.reason
    assert "temperature_c\ufffd" in refused.payload


def test_a_reading_stored_already_is_skipped_and_every_time_form_keeps_its_instant():
    from services.telemetry.ingest import Reading, connect, parse, store

    device = _new_mri()
    device_id = device.id
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def reading(ts: str, seq: int, temperature: float = 21.5) -> Reading:
        body = f'{{"ts": "{ts}", "seq": {seq}, "metrics": {{"temperature_c": {temperature}}}}}'
        parsed = parse(device, "t", body.encode(), now)
        assert isinstance(parsed, Reading), parsed
        return parsed

    with connect() as con:
        first = store(con, [reading("2026-11-30T10:00:00.123456Z", 1)], [])
        again = store(
            con,
            [
                reading("2026-11-30T15:30:00.123456+05:30", 1, 99),  # the same instant, stored
                reading("2026-11-30T10:01:00Z", 2),
                reading("2026-11-30T10:01:00+00:00", 2, 99),  # the same reading twice in a batch
                reading("2026-W49-1T10:02:00Z", 3),  # an ISO week date: Monday 30 November
            ],
            [],
        )

    with system_session() as db:
        rows = db.execute(
            text(
                "SELECT ts, seq, (metrics->>'temperature_c')::float8 AS temp FROM telemetry_reading"
                " WHERE device_id = :d ORDER BY seq"
            ),
            {"d": device_id},
        ).all()
    assert (first, again) == (1, 2)
    assert [(r.ts, r.seq, r.temp) for r in rows] == [
        (datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=UTC), 1, 21.5),
        (datetime(2026, 11, 30, 10, 1, tzinfo=UTC), 2, 21.5),
        (datetime(2026, 11, 30, 10, 2, tzinfo=UTC), 3, 21.5),
    ]
