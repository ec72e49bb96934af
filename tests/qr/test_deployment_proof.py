"""A deployment is confirmed only by someone who installs devices and proves they scanned
the label: the label itself, or the scan token /qr/scan gave them a moment ago."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.columns import utcnow
from services.qr.signing import sign_scan_token

PINCODE = "110029"


@pytest.fixture(scope="module")
def site(client, auth) -> dict:
    sites = client.get("/api/v1/facilities", headers=auth("buyer_admin")).json()["facilities"]
    return next(s for s in sites if s["pincode"] == PINCODE)


@pytest.fixture(scope="module")
def at_site(client, auth) -> dict:
    pin = client.get(f"/api/v1/geo/pincodes/{PINCODE}", headers=auth("technician")).json()
    return {"lat": pin["latitude"] + 0.001, "lng": pin["longitude"]}


@pytest.fixture
def device(client, auth, site) -> dict:
    response = client.post(
        "/api/v1/devices/register",
        headers=auth("buyer_admin"),
        json={
            "serialNumber": f"PROOF-{uuid.uuid4().hex[:10].upper()}",
            "skuCode": "MVI-PM12",
            "facilityId": site["id"],
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


def _me(client, auth, role: str) -> dict:
    return client.get("/api/v1/me", headers=auth(role)).json()


def _validate(client, auth, role: str, body: dict):
    return client.post("/api/v1/qr/validate", headers=auth(role), json=body)


def _status(client, auth, device) -> str:
    return client.get(f"/api/v1/devices/{device['deviceId']}", headers=auth("buyer_admin")).json()[
        "lifecycleStatus"
    ]


def test_the_guides_body_with_only_a_qr_id_says_what_is_missing(client, auth, device, at_site):
    response = _validate(
        client, auth, "technician", {"qrId": device["qrId"], "scanLocation": at_site}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "qrPayload"
    assert "qrPayload" in error["message"] and "scanToken" in error["message"]
    assert _status(client, auth, device) == "registered"


def test_a_scan_token_confirms_the_deployment_for_the_one_who_scanned(
    client, auth, device, at_site
):
    scanned = client.post(
        "/api/v1/qr/scan", json={"qrPayload": device["qrPayload"]}, headers=auth("technician")
    ).json()
    assert scanned["scanToken"] and scanned["scanTokenExpiresAt"]
    response = _validate(
        client,
        auth,
        "technician",
        {"scanToken": scanned["scanToken"], "qrId": device["qrId"], "scanLocation": at_site},
    )
    assert response.status_code == 200, response.text
    assert response.json()["isValid"] is True
    assert _status(client, auth, device) == "active"


def test_another_users_scan_token_is_refused(client, auth, device, at_site):
    manager = client.post(
        "/api/v1/qr/scan",
        json={"qrPayload": device["qrPayload"]},
        headers=auth("oem_service_manager"),
    )
    assert manager.status_code == 200, manager.text
    response = _validate(
        client,
        auth,
        "technician",
        {"scanToken": manager.json()["scanToken"], "scanLocation": at_site},
    )
    assert response.status_code == 403
    assert "someone else" in response.json()["error"]["message"]
    assert _status(client, auth, device) == "registered"


def test_an_expired_scan_token_is_refused(client, auth, device, at_site):
    technician = uuid.UUID(_me(client, auth, "technician")["userId"])
    old, _ = sign_scan_token(
        uuid.UUID(device["qrId"]),
        uuid.UUID(device["deviceId"]),
        technician,
        utcnow() - timedelta(minutes=11),
    )
    response = _validate(client, auth, "technician", {"scanToken": old, "scanLocation": at_site})
    assert response.status_code == 400
    assert "expired" in response.json()["error"]["message"]
    fresh, _ = sign_scan_token(
        uuid.UUID(device["qrId"]), uuid.UUID(device["deviceId"]), technician, utcnow()
    )
    altered = fresh[:-3] + ("AAA" if fresh[-3:] != "AAA" else "BBB")
    response = _validate(
        client, auth, "technician", {"scanToken": altered, "scanLocation": at_site}
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "scanToken"
    assert _status(client, auth, device) == "registered"


def test_a_scan_token_is_not_a_label_and_a_qr_id_must_match(client, auth, device, at_site):
    scanned = client.post(
        "/api/v1/qr/scan", json={"qrPayload": device["qrPayload"]}, headers=auth("technician")
    ).json()
    as_label = _validate(
        client, auth, "technician", {"qrPayload": scanned["scanToken"], "scanLocation": at_site}
    )
    assert as_label.status_code == 400 and as_label.json()["error"]["field"] == "qrPayload"
    other = _validate(
        client,
        auth,
        "technician",
        {"qrPayload": device["qrPayload"], "qrId": str(uuid.uuid4()), "scanLocation": at_site},
    )
    assert other.status_code == 400 and other.json()["error"]["field"] == "qrId"


@pytest.mark.parametrize("role", ["buyer_admin", "dispatcher", "oem_sales", "platform_admin"])
def test_roles_that_do_not_install_cannot_confirm(client, auth, device, at_site, role):
    response = _validate(
        client, auth, role, {"qrPayload": device["qrPayload"], "scanLocation": at_site}
    )
    assert response.status_code == 403
    assert _status(client, auth, device) == "registered"
