"""A device publishes telemetry through a real broker (the embedded one `make run` starts,
and a Mosquitto the platform configures) to the ingest worker: valid readings are stored
once, bad payloads quarantined with the reason, and the broker refuses a device publishing
to another device's topic or a wrong password. Restarting the ingest loses nothing."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from tests.factories import PASSWORD, make_org, make_served_device
from tests.telemetry.brokers import Broker, Device, Ingest, wait_until


@pytest.fixture(scope="module", params=["embedded", "mosquitto"])
def broker(request):
    running = Broker(request.param)
    ingest = Ingest(running, f"yantra-ingest-test-{uuid.uuid4().hex[:6]}")
    ingest.start()
    running.ingest = ingest
    yield running
    ingest.stop()
    running.stop()


@pytest.fixture(scope="module")
def hospital():
    return make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)


def _provision(client, auth, hospital, broker) -> tuple[uuid.UUID, dict]:
    device_id = make_served_device(hospital, None, "MVI-MR15").device_id
    answer = client.post(
        f"/api/v1/devices/{device_id}/telemetry-credentials",
        headers=auth(hospital.email, PASSWORD),
    )
    assert answer.status_code == 201, answer.text
    broker.credentials_changed()
    return device_id, answer.json()


def _stored(device_id: uuid.UUID) -> int:
    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM telemetry_reading WHERE device_id = :d"), {"d": device_id}
        ).scalar_one()


def _quarantined(device_id: uuid.UUID) -> list[str]:
    with system_session() as db:
        return list(
            db.execute(
                text("SELECT reason FROM telemetry_quarantine WHERE device_id = :d"),
                {"d": device_id},
            ).scalars()
        )


def _reading(seq: int, at: datetime, temperature: float = 21.0) -> dict:
    return {
        "ts": at.isoformat().replace("+00:00", "Z"),
        "seq": seq,
        "metrics": {"temperature_c": temperature, "helium_level_pct": 81.5},
    }


def test_valid_readings_are_stored_once_and_bad_ones_quarantined(broker, client, auth, hospital):
    device_id, credential = _provision(client, auth, hospital, broker)
    other_id, other = _provision(client, auth, hospital, broker)
    assert credential["topic"] == f"tenants/{hospital.tenant.id}/devices/{device_id}/telemetry"
    now = datetime.now(UTC).replace(microsecond=0)
    device = Device(broker, credential["username"], credential["password"], "gw-a")
    topic = credential["topic"]

    for seq in range(3):
        device.send(topic, _reading(seq, now - timedelta(seconds=10 - seq)))
    device.send(topic, _reading(0, now - timedelta(seconds=10)))  # delivered twice
    device.send(topic, b"temperature=21")
    device.send(topic, {**_reading(5, now), "metrics": {"arc_count": 2}})
    device.send(topic, {**_reading(6, now), "metrics": {"temperature_c": "warm"}})
    device.send(topic, _reading(7, now + timedelta(days=2)))
    device.send(other["topic"], _reading(1, now))  # not its own topic
    device.send(topic, _reading(99, now)).wait_for_publish(10)

    wait_until(lambda: _stored(device_id) == 4 and len(_quarantined(device_id)) == 4, 30)
    assert _stored(other_id) == 0
    reasons = " | ".join(sorted(_quarantined(device_id)))
    assert "not JSON" in reasons
    assert "metrics.arc_count: is not a metric of MRI" in reasons
    assert "metrics.temperature_c: must be a number" in reasons
    assert "is in the future" in reasons
    headers = auth(hospital.email, PASSWORD)
    shown = client.get(
        f"/api/v1/devices/{device_id}/telemetry",
        params={"metric": "temperature_c", "from": (now - timedelta(hours=1)).isoformat()},
        headers=headers,
    ).json()
    assert [p["value"] for p in shown["points"]] == [21.0, 21.0, 21.0, 21.0]
    assert shown["unit"] == "°C"
    listed = client.get(f"/api/v1/devices/{device_id}/telemetry/quarantine", headers=headers)
    assert len(listed.json()["items"]) == 4
    device.close()


def test_wrong_and_rotated_passwords_are_refused(broker, client, auth, hospital):
    device_id, first = _provision(client, auth, hospital, broker)
    _, second = _provision_again(client, auth, hospital, broker, device_id)

    wrong = Device(broker, second["username"], second["password"] + "x", "gw-wrong")
    old = Device(broker, first["username"], first["password"], "gw-old")
    good = Device(broker, second["username"], second["password"], "gw-new")

    assert wrong.refused and old.refused
    assert good.connected
    for d in (wrong, old, good):
        d.close()


def _provision_again(client, auth, hospital, broker, device_id):
    answer = client.post(
        f"/api/v1/devices/{device_id}/telemetry-credentials",
        headers=auth(hospital.email, PASSWORD),
    )
    assert answer.status_code == 201
    broker.credentials_changed()
    return device_id, answer.json()


def test_restarting_the_ingest_while_publishing_loses_no_reading(broker, client, auth, hospital):
    device_id, credential = _provision(client, auth, hospital, broker)
    device = Device(broker, credential["username"], credential["password"], "gw-restart")
    start = datetime.now(UTC) - timedelta(hours=1)
    total = 1500
    halfway = threading.Event()

    def publish() -> None:
        for seq in range(total):
            info = device.send(credential["topic"], _reading(seq, start + timedelta(seconds=seq)))
            if seq == total // 3:
                info.wait_for_publish(10)
                halfway.set()
        info.wait_for_publish(30)

    sender = threading.Thread(target=publish)
    sender.start()
    halfway.wait(30)
    broker.ingest.kill()
    broker.ingest.start()
    sender.join(60)

    wait_until(lambda: _stored(device_id) == total, 30, f"{total} readings stored")
    assert _quarantined(device_id) == []
    device.close()
