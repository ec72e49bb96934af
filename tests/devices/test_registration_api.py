"""Registering a device, and the answers for bad input."""

from __future__ import annotations

import base64
import uuid

import pytest
from sqlalchemy import text

from services.db import system_session
from tests.devices.conftest import new_serial


def register(client, headers, site, **overrides):
    body = {
        "serialNumber": new_serial(),
        "skuCode": "MVI-US9",
        "facilityId": site["id"],
        "installationDate": "2025-09-21",
        **overrides,
    }
    return client.post("/api/v1/devices/register", json=body, headers=headers), body


def test_hospital_registers_a_device_and_gets_its_qr(client, auth, hospital_site):
    response, body = register(client, auth("buyer_admin"), hospital_site)
    assert response.status_code == 201, response.text
    data = response.json()
    assert base64.b64decode(data["qrCode"])[:8] == b"\x89PNG\r\n\x1a\n"
    listed = client.get(
        "/api/v1/devices", params={"q": body["serialNumber"]}, headers=auth("buyer_admin")
    ).json()["devices"]
    assert [d["deviceId"] for d in listed] == [data["deviceId"]]
    assert listed[0]["lifecycleStatus"] == "registered"
    with system_session() as db:
        names = (
            db.execute(
                text("SELECT name FROM outbox_event WHERE entity_id = :d"), {"d": data["deviceId"]}
            )
            .scalars()
            .all()
        )
    assert "DeviceOnboarded" in names


def test_same_serial_for_the_same_manufacturer_is_a_conflict(client, auth, hospital_site):
    first, body = register(client, auth("buyer_admin"), hospital_site)
    assert first.status_code == 201
    again, _ = register(
        client, auth("buyer_user"), hospital_site, serialNumber=body["serialNumber"]
    )
    assert again.status_code == 409
    assert body["serialNumber"] in again.json()["error"]["message"]


@pytest.mark.parametrize(
    "overrides,status,field",
    [
        ({"skuCode": "NO-SUCH-SKU"}, 404, None),
        ({"facilityId": "00000000-0000-4000-8000-000000000000"}, 404, None),
        ({"installationDate": "21/09/2025"}, 400, "installationDate"),
        ({"installationDate": "2999-01-01"}, 400, "installationDate"),
        ({"serialNumber": "bad serial!"}, 400, "serialNumber"),
        ({"serialNumber": ""}, 400, "serialNumber"),
        ({"facilityId": "not-a-uuid"}, 400, "facilityId"),
        ({"amcStatus": "forever"}, 400, "amcStatus"),
    ],
)
def test_bad_input_is_refused_with_the_field(client, auth, hospital_site, overrides, status, field):
    response, _ = register(client, auth("buyer_admin"), hospital_site, **overrides)
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field


def test_roles_without_registration_rights_are_refused(client, auth, hospital_site):
    response, _ = register(client, auth("dispatcher"), hospital_site)
    assert response.status_code == 403


def test_service_partner_sees_the_hospital_device_a_stranger_does_not(client, auth, hospital_site):
    response, body = register(client, auth("buyer_admin"), hospital_site)
    device_id = response.json()["deviceId"]
    assert client.get(f"/api/v1/devices/{device_id}", headers=auth("dispatcher")).status_code == 200
    assert client.get(f"/api/v1/devices/{device_id}", headers=auth("lab_staff")).status_code == 404


def test_paging_walks_every_device_once(client, auth, hospital_site):
    prefix = new_serial("PAGE")
    for n in range(5):
        register(client, auth("buyer_admin"), hospital_site, serialNumber=f"{prefix}-{n}")
    seen, after = [], None
    while True:
        params = {"q": prefix, "limit": 2, **({"after": after} if after else {})}
        page = client.get("/api/v1/devices", params=params, headers=auth("buyer_admin")).json()
        assert page["total"] == 5
        seen += [d["serialNumber"] for d in page["devices"]]
        after = page["next"]
        if not after:
            break
    assert seen == [f"{prefix}-{n}" for n in range(5)]
    bad = client.get("/api/v1/devices", params={"after": "garbage!"}, headers=auth("buyer_admin"))
    assert bad.status_code == 400


def test_identify_by_serial_and_by_udi(client, auth, hospital_site):
    serial = new_serial("UDI")
    udi = f"(01)08901234567890(17)271231(21){serial}"
    response, _ = register(client, auth("buyer_admin"), hospital_site, serialNumber=serial, udi=udi)
    device_id = response.json()["deviceId"]
    by_serial = client.get(
        "/api/v1/devices/identify", params={"serial": serial.lower()}, headers=auth("buyer_admin")
    ).json()["devices"]
    assert [d["deviceId"] for d in by_serial] == [device_id]
    raw = "]d2" + "0108901234567890" + "17271231" + "21" + serial  # as a scanner sends it
    by_udi = client.get(
        "/api/v1/devices/identify", params={"udi": raw}, headers=auth("buyer_admin")
    ).json()["devices"]
    assert [d["deviceId"] for d in by_udi] == [device_id]
    broken = client.get(
        "/api/v1/devices/identify",
        params={"udi": "(01)08901234567896"},
        headers=auth("buyer_admin"),
    )
    assert broken.status_code == 400 and broken.json()["error"]["field"] == "udi"


def test_bulk_import_requests_that_cannot_be_taken(client, auth):
    oem = client.get("/api/v1/me", headers=auth("oem_admin")).json()
    other = client.get("/api/v1/me", headers=auth("buyer_admin")).json()
    row = [{"serialNumber": new_serial(), "skuCode": "MVI-US9"}]
    cases = [
        ("oem_admin", {"manufacturerId": other["tenantId"], "batchId": "B-1", "devices": row}, 403),
        ("dispatcher", {"manufacturerId": oem["tenantId"], "batchId": "B-2", "devices": row}, 403),
        ("oem_admin", {"manufacturerId": oem["tenantId"], "batchId": "B-3", "devices": []}, 400),
        ("oem_admin", {"manufacturerId": oem["tenantId"], "batchId": "", "devices": row}, 400),
        ("oem_admin", {"manufacturerId": "nope", "batchId": "B-4", "devices": row}, 400),
    ]
    for role, body, status in cases:
        response = client.post("/api/v1/devices/bulk-import", json=body, headers=auth(role))
        assert response.status_code == status, (role, body, response.text)
    unknown = client.get(f"/api/v1/devices/batches/{uuid.uuid4()}", headers=auth("oem_admin"))
    assert unknown.status_code == 404


def test_a_kit_for_chosen_devices_is_a_pdf(client, auth, hospital_site):
    ids = [
        register(client, auth("buyer_admin"), hospital_site)[0].json()["deviceId"] for _ in range(2)
    ]
    kit = client.post("/api/v1/devices/kit", json={"deviceIds": ids}, headers=auth("buyer_admin"))
    assert kit.status_code == 200 and kit.content[:5] == b"%PDF-"
    listed = client.get(f"/api/v1/devices/{ids[0]}", headers=auth("buyer_admin")).json()
    assert listed["lifecycleStatus"] == "registered", "printed, not yet stuck on"
    stranger = client.post(
        "/api/v1/devices/kit", json={"deviceIds": ids}, headers=auth("lab_staff")
    )
    assert stranger.status_code == 404


@pytest.fixture(scope="module")
def lab_site(client, auth) -> dict:
    sites = client.get("/api/v1/facilities", headers=auth("lab_staff")).json()["facilities"]
    return next(s for s in sites if s["owned"])


def _directory_site() -> dict:
    with system_session() as db:
        row = db.execute(
            text("SELECT id FROM healthcare_facilities WHERE tenant_id IS NULL LIMIT 1")
        ).one()
    return {"id": str(row.id)}


def test_a_device_goes_only_to_a_site_of_ones_own_organisation(client, auth, lab_site):
    elsewhere, _ = register(client, auth("buyer_admin"), lab_site)
    assert elsewhere.status_code == 404
    assert "lab" not in elsewhere.json()["error"]["message"].lower()
    public, _ = register(client, auth("buyer_admin"), _directory_site())
    assert public.status_code == 403
    assert "your organisation's own facilities" in public.json()["error"]["message"]


def test_the_manufacturer_registers_at_a_customer_site_that_shared_access(
    client, auth, hospital_site, lab_site
):
    shared, _ = register(client, auth("oem_admin"), hospital_site)
    assert shared.status_code == 201, shared.text
    not_shared, _ = register(client, auth("oem_admin"), lab_site)
    assert not_shared.status_code == 404
    # The hospital shared its sites with this manufacturer, not with the maker of PLS-VT7.
    foreign_make, _ = register(client, auth("oem_admin"), hospital_site, skuCode="PLS-VT7")
    assert foreign_make.status_code == 404


def test_a_serial_taken_in_another_organisation_is_not_confirmed(
    client, auth, hospital_site, lab_site
):
    first, body = register(client, auth("buyer_admin"), hospital_site)
    assert first.status_code == 201
    other, _ = register(client, auth("lab_staff"), lab_site, serialNumber=body["serialNumber"])
    assert other.status_code == 409
    message = other.json()["error"]["message"].lower()
    assert "already" not in message and "taken" not in message and "exists" not in message
    mine, _ = register(client, auth("buyer_user"), hospital_site, serialNumber=body["serialNumber"])
    assert mine.status_code == 409
    assert "already registered in your organisation" in mine.json()["error"]["message"]
