"""The telemetry routes: who may provision a device, clear refusals of bad input, and
readings answered as points or as 1-minute and 1-hour rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.actor import Role, TenantKind
from services.telemetry.ingest import Device, Reading, connect, store
from services.telemetry.rollups import roll_up
from tests.factories import PASSWORD, make_org, make_served_device


def _hospital_device():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    return hospital, make_served_device(hospital, None, "MVI-MR15").device_id


def test_the_manufacturer_provisions_and_revokes_but_strangers_and_other_roles_may_not(
    client, auth
):
    hospital, device_id = _hospital_device()
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    path = f"/api/v1/devices/{device_id}/telemetry-credentials"

    assert client.post(path, headers=auth("technician")).status_code == 403
    assert client.post(path, headers=auth(stranger.email, PASSWORD)).status_code == 404
    issued = client.post(path, headers=auth("oem_service_manager"))
    listed = client.get(path, headers=auth(hospital.email, PASSWORD)).json()["items"]
    revoked = client.delete(path, headers=auth(hospital.email, PASSWORD)).json()

    assert issued.status_code == 201
    assert [c["username"] for c in listed] == [issued.json()["username"]]
    assert "password" not in listed[0]
    assert revoked == {"revoked": 1}


def test_bad_queries_are_refused_naming_the_field(client, auth):
    hospital, device_id = _hospital_device()
    path = f"/api/v1/devices/{device_id}/telemetry"
    headers = auth(hospital.email, PASSWORD)

    for params, field in (
        ({"metric": "temperature_c", "bucket": "5m"}, "bucket"),
        ({"metric": "arc_count"}, "metric"),
        ({"metric": "temperature_c", "from": "yesterday"}, "from"),
    ):
        answer = client.get(path, params=params, headers=headers)
        assert answer.status_code == 400
        assert answer.json()["error"]["field"] == field


def test_readings_roll_up_by_minute_and_hour(client, auth):
    hospital, device_id = _hospital_device()
    from sqlalchemy import text

    from services.db import system_session

    with system_session() as db:
        oem = db.execute(
            text("SELECT manufacturer_tenant_id FROM equipment WHERE id = :d"), {"d": device_id}
        ).scalar_one()
    device = Device(device_id, hospital.tenant.id, oem, "MRI")
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    values = [20.0, 22.0, 30.0, 31.0, 32.0]  # three readings in 09:00, two in 09:01
    readings = [
        Reading(device, start + timedelta(seconds=25 * i), i, {"temperature_c": v})
        for i, v in enumerate(values)
    ]
    with connect() as con:
        store(con, readings, [])
        roll_up(con, start + timedelta(minutes=5), look_back=timedelta(minutes=10))

    path = f"/api/v1/devices/{device_id}/telemetry"
    window = {"metric": "temperature_c", "from": start.isoformat(), "to": "2026-11-30T10:00:00Z"}
    minutes = client.get(
        path, params={**window, "bucket": "1m"}, headers=auth(hospital.email, PASSWORD)
    )
    hours = client.get(path, params={**window, "bucket": "1h"}, headers=auth("oem_service_manager"))

    assert [(p["count"], p["min"], p["max"], p["avg"]) for p in minutes.json()["points"]] == [
        (3, 20.0, 30.0, 24.0),
        (2, 31.0, 32.0, 31.5),
    ]
    assert [(p["count"], p["avg"]) for p in hours.json()["points"]] == [(5, 27.0)]
