"""An OEM's service manager sets its own alarm limits: for a device type, or one device; the
ingest's alarm evaluation follows them, nonsense numbers are refused naming the field, and
only the manufacturer's service manager may change them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.telemetry.alarms import Watch
from services.telemetry.fleet import device_telemetry, fleet_health
from services.telemetry.ingest import Device, Reading, connect, store
from tests.factories import PASSWORD, make_org, make_served_device

PATH = "/api/v1/telemetry/rules"


@pytest.fixture
def hospital():
    return make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)


@pytest.fixture
def mri_rules(client, auth):
    """The demo OEM's MRI rules, put back to the defaults afterwards (other tests share them)."""
    yield
    for rule in ("helium_low", "silent"):
        client.delete(
            PATH, params={"deviceType": "MRI", "rule": rule}, headers=auth("oem_service_manager")
        )


def _mri(hospital) -> Device:
    device_id = make_served_device(hospital, None, "MVI-MR15").device_id
    with system_session() as db:
        oem = db.execute(
            text("SELECT manufacturer_tenant_id FROM equipment WHERE id = :d"), {"d": device_id}
        ).scalar_one()
    return Device(device_id, hospital.tenant.id, oem, "MRI")


def _helium(watch: Watch, device: Device, values: list[float]) -> None:
    start = datetime.now(UTC) - timedelta(minutes=20)
    readings = [
        Reading(device, start + timedelta(seconds=30 * i), i, {"helium_level_pct": v})
        for i, v in enumerate(values)
    ]
    with connect() as con:
        store(con, readings, [])
    watch.observe(readings)


def _alarm_and_ticket(device: Device):
    with system_session() as db:
        return db.execute(
            text(
                "SELECT a.state, t.priority, t.description FROM telemetry_alarm a "
                "LEFT JOIN ticket t ON t.id = a.ticket_id WHERE a.device_id = :d"
            ),
            {"d": device.id},
        ).first()


def _helium_rule(client, auth, login="oem_service_manager", password="yantra-demo", **params):
    answer = client.get(PATH, params={"deviceType": "MRI", **params}, headers=auth(login, password))
    assert answer.status_code == 200, answer.text
    return next(r for r in answer.json()["rules"] if r["rule"] == "helium_low")


def test_a_service_manager_raises_the_helium_limit_and_the_ingest_alarms_at_it(
    client, auth, hospital, mri_rules
):
    device = _mri(hospital)
    _helium(Watch(), device, [65.0] * 4)  # above the default limit of 60 %: no alarm
    assert _alarm_and_ticket(device) is None

    body = {"deviceType": "MRI", "rule": "helium_low", "limit": 70, "clear": 72}
    answer = client.put(
        PATH,
        json={**body, "minDurationS": 60, "priority": "P3"},
        headers=auth("oem_service_manager"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["says"] == "helium level below 70 %"
    shown = _helium_rule(client, auth)
    assert (shown["limit"], shown["clear"], shown["source"]) == (70, 72, "type")
    assert shown["default"]["limit"] == 60
    # The hospital sees the limits watching its own MRI.
    mine = _helium_rule(client, auth, hospital.email, PASSWORD, oemId=str(device.oem_tenant_id))
    assert mine["limit"] == 70

    _helium(Watch(), device, [66.0, 65.0, 65.5, 65.0, 66.0])

    state, priority, description = _alarm_and_ticket(device)
    assert state == "open"
    assert priority == "P2"  # the P3 set, one step more urgent for a class C scanner
    assert "helium level below 70 %" in description
    with tenant_session(hospital.actor) as db:  # what the hospital's pages show
        alarms = fleet_health(db, hospital.actor)["alarms"]
        chart = device_telemetry(db, hospital.actor, device.id)
    assert [a["says"] for a in alarms if a["deviceId"] == str(device.id)] == [
        "helium level below 70 %"
    ]
    (helium,) = [m for m in chart["metrics"] if m["name"] == "helium_level_pct"]
    assert [b["limit"] for b in helium["bands"]] == [70]


def test_one_device_keeps_its_own_numbers_and_goes_back_to_the_types(
    client, auth, hospital, mri_rules
):
    calm, other = _mri(hospital), _mri(hospital)
    headers = auth("oem_service_manager")
    common = {"rule": "helium_low", "minDurationS": 0, "priority": "P2"}
    client.put(
        PATH, json={**common, "deviceType": "MRI", "limit": 70, "clear": 72}, headers=headers
    )
    own = client.put(
        PATH, json={**common, "deviceId": str(calm.id), "limit": 50, "clear": 52}, headers=headers
    )
    assert own.status_code == 200, own.text

    watch = Watch()
    _helium(watch, calm, [65.0, 64.0])
    _helium(watch, other, [65.0, 64.0])

    assert _alarm_and_ticket(calm) is None
    assert _alarm_and_ticket(other)[0] == "open"
    assert _helium_rule(client, auth, deviceId=str(calm.id))["source"] == "device"
    reset = client.delete(
        PATH, params={"rule": "helium_low", "deviceId": str(calm.id)}, headers=headers
    )
    assert reset.json() == {"reset": True}
    assert _helium_rule(client, auth, deviceId=str(calm.id))["source"] == "type"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rule": "helium_low", "limit": 60, "clear": 55, "minDurationS": 60}, "clear"),
        ({"rule": "helium_low", "limit": 160, "clear": 170, "minDurationS": 60}, "limit"),
        ({"rule": "helium_low", "limit": 60, "clear": 62, "minDurationS": -1}, "minDurationS"),
        (
            {"rule": "helium_low", "limit": 60, "clear": 62, "minDurationS": 60, "priority": "P5"},
            "priority",
        ),
        ({"rule": "silent", "minDurationS": 60}, "minDurationS"),
        ({"rule": "boiloff_rising", "limit": 0, "clear": 0, "minDurationS": 0}, "limit"),
        ({"rule": "tube_hot", "limit": 120, "clear": 110, "minDurationS": 60}, "rule"),
        ({"rule": "helium_low", "deviceType": "Toaster", "minDurationS": 60}, "deviceType"),
    ],
)
def test_numbers_that_make_no_sense_are_refused_naming_the_field(client, auth, change, field):
    body = {"deviceType": "MRI", "priority": "P2", **change}
    answer = client.put(PATH, json=body, headers=auth("oem_service_manager"))
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["field"] == field


def test_a_longer_silence_is_accepted_and_said_in_words(client, auth, mri_rules):
    body = {"deviceType": "MRI", "rule": "silent", "minDurationS": 1800, "priority": "P2"}
    answer = client.put(PATH, json=body, headers=auth("oem_service_manager"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["says"] == "no telemetry for 30 minutes"


def test_only_the_manufacturers_service_manager_changes_rules(client, auth, hospital):
    device = _mri(hospital)
    rival = make_org(TenantKind.OEM, Role.OEM_SERVICE_MANAGER)
    body = {"rule": "helium_low", "limit": 70, "clear": 72, "minDurationS": 0, "priority": "P2"}

    by_type = {**body, "deviceType": "MRI"}
    assert client.put(PATH, json=by_type, headers=auth("technician")).status_code == 403
    assert client.put(PATH, json=by_type, headers=auth(hospital.email, PASSWORD)).status_code == 403
    on_device = {**body, "deviceId": str(device.id)}
    refused = client.put(PATH, json=on_device, headers=auth(rival.email, PASSWORD))
    assert refused.status_code in (403, 404)
    assert _helium_rule(client, auth, deviceId=str(device.id))["source"] == "default"


def test_a_device_allowed_a_longer_silence_raises_no_missing_data_alarm(client, auth, hospital):
    patient, usual = _mri(hospital), _mri(hospital)
    body = {"rule": "silent", "deviceId": str(patient.id), "minDurationS": 1800, "priority": "P3"}
    assert client.put(PATH, json=body, headers=auth("oem_service_manager")).status_code == 200
    watch = Watch()
    now = datetime.now(UTC)
    for device in (patient, usual):  # both last heard 20 minutes ago
        watch.heard[device.id] = now - timedelta(minutes=20)

    assert watch.check_silence(now) == 1

    assert _alarm_and_ticket(patient) is None
    assert _alarm_and_ticket(usual)[0] == "open"
