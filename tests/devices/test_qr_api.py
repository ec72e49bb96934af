"""Scanning labels and confirming where they were deployed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.db import system_session
from tests.devices.conftest import new_serial


@pytest.fixture
def device(client, auth, hospital_site) -> dict:
    response = client.post(
        "/api/v1/devices/register",
        headers=auth("buyer_admin"),
        json={
            "serialNumber": new_serial("QR"),
            "skuCode": "MVI-PM12",
            "facilityId": hospital_site["id"],
            "installationDate": "2025-01-10",
        },
    )
    assert response.status_code == 201, response.text
    label = client.post(
        "/api/v1/qr/generate",
        json={"deviceId": response.json()["deviceId"]},
        headers=auth("buyer_admin"),
    ).json()
    return {"deviceId": response.json()["deviceId"], **label}


def _refusals() -> int:
    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'qr.scan_refused'")
        ).scalar_one()


def test_technician_scans_a_label_and_sees_the_device(client, auth, device, hospital_site):
    response = client.post(
        "/api/v1/qr/scan", json={"qrPayload": device["qrPayload"]}, headers=auth("technician")
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["deviceId"] == device["deviceId"]
    assert data["facility"] == hospital_site["id"]
    assert data["skuCode"] == "MVI-PM12"
    assert data["openTickets"] == [] and "contract" in data


@pytest.mark.parametrize("tamper", ["forged", "altered", "truncated", "foreign"])
def test_tampered_labels_are_refused_and_logged(client, auth, device, tamper):
    payload = device["qrPayload"]
    bad = {
        "forged": "Y1" + "A" * (len(payload) - 2),
        "altered": payload[:20] + ("B" if payload[20] != "B" else "C") + payload[21:],
        "truncated": payload[:-4],
        "foreign": "https://example.com/not-a-yantra-label",
    }[tamper]
    before = _refusals()
    response = client.post("/api/v1/qr/scan", json={"qrPayload": bad}, headers=auth("technician"))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "qrPayload"
    assert _refusals() == before + 1


def test_a_replaced_label_no_longer_works(client, auth, device):
    client.post(
        "/api/v1/qr/generate", json={"deviceId": device["deviceId"]}, headers=auth("buyer_admin")
    )
    response = client.post(
        "/api/v1/qr/scan", json={"qrPayload": device["qrPayload"]}, headers=auth("technician")
    )
    assert response.status_code == 409


def test_deployment_scan_at_the_facility_activates_the_device(client, auth, device, hospital_site):
    pin = client.get("/api/v1/geo/pincodes/110029", headers=auth("technician")).json()
    response = client.post(
        "/api/v1/qr/validate",
        headers=auth("technician"),
        json={
            "qrPayload": device["qrPayload"],
            "scanLocation": {"lat": pin["latitude"] + 0.001, "lng": pin["longitude"]},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["isValid"] is True
    detail = client.get(f"/api/v1/devices/{device['deviceId']}", headers=auth("buyer_admin")).json()
    assert detail["lifecycleStatus"] == "active"
    assert detail["deployments"][0]["isValid"] is True
    with system_session() as db:
        names = (
            db.execute(
                text("SELECT name FROM outbox_event WHERE entity_id = :d"),
                {"d": device["deviceId"]},
            )
            .scalars()
            .all()
        )
    assert "QRDeployed" in names


def test_a_scan_50_km_away_is_not_a_deployment(client, auth, device):
    pin = client.get("/api/v1/geo/pincodes/110029", headers=auth("technician")).json()
    response = client.post(
        "/api/v1/qr/validate",
        headers=auth("technician"),
        json={
            "qrPayload": device["qrPayload"],
            "scanLocation": {"lat": pin["latitude"] + 0.45, "lng": pin["longitude"]},
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert data["isValid"] is False and "km from the facility" in data["reason"]
    detail = client.get(f"/api/v1/devices/{device['deviceId']}", headers=auth("buyer_admin")).json()
    assert detail["lifecycleStatus"] == "registered"
    assert detail["deployments"][0]["isValid"] is False
    assert 45_000 < detail["deployments"][0]["distanceMeters"] < 55_000


@pytest.mark.parametrize(
    "location",
    [{"lat": 95, "lng": 77}, {"lat": 28.5, "lng": 181}, {"lat": "north", "lng": 77}, {"lng": 77}],
)
def test_bad_coordinates_are_refused(client, auth, device, location):
    response = client.post(
        "/api/v1/qr/validate",
        headers=auth("technician"),
        json={"qrPayload": device["qrPayload"], "scanLocation": location},
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"].startswith("scanLocation")


def _status(client, auth, device_id: str) -> str:
    return client.get(f"/api/v1/devices/{device_id}", headers=auth("buyer_admin")).json()[
        "lifecycleStatus"
    ]


def test_printing_labels_changes_nothing_until_they_are_confirmed_stuck_on(client, auth, device):
    kit = client.post(
        "/api/v1/devices/kit",
        json={"deviceIds": [device["deviceId"]], "startAt": 7, "cover": False},
        headers=auth("buyer_admin"),
    )
    assert kit.status_code == 200 and kit.content[:5] == b"%PDF-"
    assert _status(client, auth, device["deviceId"]) == "registered", "printing is not sticking"

    job = kit.headers["X-Label-Print-Job"]
    confirmed = client.post(
        f"/api/v1/devices/label-prints/{job}/confirm", headers=auth("buyer_admin")
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["devicesMarkedPrinted"] == 1
    assert _status(client, auth, device["deviceId"]) == "qr_printed"
    again = client.post(f"/api/v1/devices/label-prints/{job}/confirm", headers=auth("buyer_admin"))
    assert again.status_code == 409


def test_a_print_job_is_confirmed_only_by_its_organisation(client, auth, device):
    kit = client.post(
        "/api/v1/devices/kit", json={"deviceIds": [device["deviceId"]]}, headers=auth("buyer_admin")
    )
    job = kit.headers["X-Label-Print-Job"]
    stranger = client.post(f"/api/v1/devices/label-prints/{job}/confirm", headers=auth("oem_admin"))
    assert stranger.status_code == 404
    assert _status(client, auth, device["deviceId"]) == "registered"


@pytest.mark.parametrize("start_at", [0, 22, "seven"])
def test_a_start_position_off_the_sheet_is_refused(client, auth, device, start_at):
    response = client.post(
        "/api/v1/devices/kit",
        json={"deviceIds": [device["deviceId"]], "startAt": start_at},
        headers=auth("buyer_admin"),
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "startAt"
