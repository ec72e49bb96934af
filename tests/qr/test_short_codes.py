"""The short code printed beside the QR symbol (`JFW7-JHQT`) identifies its device wherever a
label is read, typed by a person as they would: any case, with or without the dash, O for
0 and I for 1. A wrong, foreign or replaced code is refused, and says why."""

from __future__ import annotations

import uuid

import pytest

from services.qr.codes import as_short_code, short_code
from tests.devices.conftest import new_serial


@pytest.fixture(scope="module")
def hospital_site(client, auth) -> dict:
    """A facility of the demo hospital chain (Safdarjung, pincode 110029)."""
    sites = client.get("/api/v1/facilities", headers=auth("buyer_admin")).json()["facilities"]
    return next(s for s in sites if s["pincode"] == "110029")


@pytest.fixture
def device(client, auth, hospital_site) -> dict:
    response = client.post(
        "/api/v1/devices/register",
        headers=auth("buyer_admin"),
        json={
            "serialNumber": new_serial("SC"),
            "skuCode": "MVI-PM12",
            "facilityId": hospital_site["id"],
        },
    )
    assert response.status_code == 201, response.text
    device_id = response.json()["deviceId"]
    qr_id = response.json()["qrId"]
    return {"deviceId": device_id, "qrId": qr_id, "code": short_code(uuid.UUID(qr_id).bytes)}


def _typed_badly(code: str) -> str:
    """The code as a hurried person types it: lower case, no dash, 0 as O and 1 as I."""
    return code.replace("-", "").lower().replace("0", "o").replace("1", "i")


def _scan(client, auth, typed: str, role: str = "technician"):
    return client.post("/api/v1/qr/scan", json={"qrPayload": typed}, headers=auth(role))


def test_a_typed_short_code_finds_its_device_like_a_scan(client, auth, device):
    for typed in (
        device["code"],
        _typed_badly(device["code"]),
        f" {device['code'][:4]} {device['code'][5:]} ",
    ):
        response = _scan(client, auth, typed)
        assert response.status_code == 200, (typed, response.text)
        assert response.json()["deviceId"] == device["deviceId"]
        assert response.json()["qrId"] == device["qrId"]


def test_device_lookup_takes_the_short_code(client, auth, device):
    response = client.get(
        "/api/v1/devices/identify",
        params={"code": _typed_badly(device["code"])},
        headers=auth("buyer_admin"),
    )
    assert response.status_code == 200, response.text
    assert [d["deviceId"] for d in response.json()["devices"]] == [device["deviceId"]]


def test_a_short_code_proves_presence_for_a_deployment(client, auth, device):
    pin = client.get("/api/v1/geo/pincodes/110029", headers=auth("technician")).json()
    response = client.post(
        "/api/v1/qr/validate",
        headers=auth("technician"),
        json={
            "qrPayload": device["code"].lower(),
            "scanLocation": {"lat": pin["latitude"], "lng": pin["longitude"]},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["isValid"] is True
    assert response.json()["deviceId"] == device["deviceId"]


def test_a_wrong_code_is_refused_clearly(client, auth, device):
    code = device["code"]
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    response = _scan(client, auth, wrong)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "qrPayload"
    assert "no label you can see has the code" in error["message"]
    short = _scan(client, auth, code[:6])
    assert short.status_code == 400
    assert "8 letters and digits" in short.json()["error"]["message"]


def test_another_organisations_code_is_not_found(client, auth, device):
    response = client.get(
        "/api/v1/devices/identify", params={"code": device["code"]}, headers=auth("lab_staff")
    )
    assert response.status_code == 400
    assert "no label you can see" in response.json()["error"]["message"]


def test_a_replaced_labels_code_is_refused(client, auth, device):
    fresh = client.post(
        "/api/v1/qr/generate", json={"deviceId": device["deviceId"]}, headers=auth("buyer_admin")
    ).json()
    old = _scan(client, auth, device["code"])
    assert old.status_code == 409
    assert "replaced by a newer one" in old.json()["error"]["message"]
    new = _scan(client, auth, short_code(uuid.UUID(fresh["qrId"]).bytes))
    assert new.status_code == 200 and new.json()["deviceId"] == device["deviceId"]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("JFW7-JHQT", "JFW7-JHQT"),
        ("jfw7jhqt", "JFW7-JHQT"),
        ("0OI1-LL00", "0011-1100"),
        ("JFW7 JHQT", "JFW7-JHQT"),
        ("JFW7-JHQ", None),
        ("JFW7-JHQU", None),
        ("Y1" + "A" * 79, None),
    ],
)
def test_typed_codes_are_read_forgivingly(typed: str, read: str | None):
    assert as_short_code(typed) == read
