"""Coverage answers from real hub-to-pincode distances and the technicians free for the
device type; hubs edited by their own organisation only."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.geo.coverage import estimate_response_hours
from services.geo.distance import haversine_m
from services.identity.service import create_user
from services.tenancy.models import Tenant
from tests.factories import PASSWORD, make_org, platform_admin
from tests.geo.conftest import centroid


def _check(client, headers, pincode, device_type, **extra):
    return client.post(
        "/api/v1/geo/service-areas/coverage",
        headers=headers,
        json={"pincode": pincode, "deviceType": device_type, **extra},
    )


def test_a_delhi_pincode_is_covered_for_mri_with_a_real_estimate(client, auth):
    answer = _check(client, auth("buyer_admin"), "110029", "mri").json()
    assert answer["covered"] is True and answer["deviceType"] == "MRI"
    assert answer["techniciansAvailable"] >= 1
    with system_session() as db:
        hub = db.execute(
            text("SELECT hub_latitude, hub_longitude FROM service_areas WHERE id = :i"),
            {"i": answer["serviceHubId"]},
        ).one()
    km = haversine_m(*hub, *centroid("110029")) / 1000
    assert answer["distanceKm"] == pytest.approx(km, abs=0.05)
    assert answer["estimatedResponseTime"] == pytest.approx(
        estimate_response_hours(km, 1), abs=0.05
    )


def test_a_pincode_outside_every_area_is_not_covered(client, auth):
    answer = _check(client, auth("buyer_admin"), "781001", "MRI")
    assert answer.status_code == 200
    body = answer.json()
    assert body["covered"] is False and body["serviceHubId"] is None
    assert body["techniciansAvailable"] == 0 and "No service area covers 781001" in body["reason"]


def test_covered_pincode_without_a_skilled_technician_is_not_covered(client, auth):
    body = _check(client, auth("buyer_admin"), "110029", "Dialysis machine").json()
    assert body["covered"] is False and "no Dialysis machine technician" in body["reason"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"pincode": "11002", "deviceType": "MRI"}, "pincode"),
        ({"pincode": "110029", "deviceType": "Teleporter"}, "deviceType"),
        ({"pincode": "110029"}, "deviceType"),
    ],
)
def test_bad_coverage_questions_are_400s(client, auth, body, field):
    response = client.post(
        "/api/v1/geo/service-areas/coverage", headers=auth("buyer_admin"), json=body
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == field


def test_a_new_hub_covers_its_radius_once_a_technician_is_mapped(client, auth):
    provider = make_org(TenantKind.SERVICE_PARTNER, Role.OEM_SERVICE_MANAGER)
    headers = auth(provider.email, PASSWORD)
    created = client.post(
        "/api/v1/geo/service-areas",
        headers=headers,
        json={
            "name": "Guwahati hub",
            "hubPincode": "781001",
            "radiusKm": 15,
            "maxResponseTimeHours": 6,
            "pincodes": ["782001"],
        },
    )
    assert created.status_code == 201, created.text
    area = created.json()
    covered = {p["pincode"] for p in area["pincodes"]}
    hub = centroid("781001")
    assert "782001" in covered and "781001" in covered and area["extraPincodes"] == ["782001"]
    assert all(
        haversine_m(*hub, p["lat"], p["lng"]) <= 15_000
        for p in area["pincodes"]
        if p["pincode"] != "782001"
    )
    mine = {"serviceProviderId": str(provider.tenant.id)}
    before = _check(client, headers, "781001", "CT", **mine).json()
    assert before["covered"] is False and "no CT technician" in before["reason"]
    technician = _technician(provider)
    mapping = f"/api/v1/geo/service-areas/{area['id']}/technicians"
    mapped = client.put(
        mapping,
        headers=headers,
        json={"technicianId": technician, "specialties": ["ct", "MRI"], "status": "busy"},
    )
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["technicians"][0]["specialties"] == ["CT", "MRI"]
    busy = _check(client, headers, "781001", "CT", **mine).json()
    assert busy["covered"] is True and busy["techniciansAvailable"] == 0
    assert "busy" in busy["reason"]
    client.put(
        mapping,
        headers=headers,
        json={"technicianId": technician, "specialties": ["CT"], "status": "available"},
    )
    free = _check(client, headers, "781001", "CT", **mine).json()
    assert free["techniciansAvailable"] == 1 and free["serviceHubId"] == area["id"]
    # Far corners of a wide area can lie beyond the hub's promise.
    far = client.put(
        f"/api/v1/geo/service-areas/{area['id']}",
        headers=headers,
        json={
            "name": "Guwahati hub",
            "hubPincode": "781001",
            "maxResponseTimeHours": 1,
            "pincodes": ["782001"],
        },
    ).json()
    assert {p["pincode"] for p in far["pincodes"]} == {"782001"}
    beyond = _check(client, headers, "782001", "CT", **mine).json()
    assert beyond["covered"] is False and "beyond its 1 h promise" in beyond["reason"]


def _technician(org) -> str:
    admin = platform_admin()
    with tenant_session(admin) as db:
        tenant = db.get(Tenant, org.tenant.id)
        user = create_user(
            db,
            admin,
            tenant,
            f"tech.{uuid.uuid4().hex[:8]}@test.yantra.in",
            "Test Technician",
            [Role.TECHNICIAN.value],
            None,
        )
        return str(user.id)


def test_technician_mapping_is_checked(client, auth):
    provider = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    stranger = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    headers = auth(provider.email, PASSWORD)
    area = client.post(
        "/api/v1/geo/service-areas",
        headers=headers,
        json={
            "name": "Nagpur hub",
            "hubPincode": "440001",
            "radiusKm": 10,
            "maxResponseTimeHours": 4,
        },
    ).json()
    url = f"/api/v1/geo/service-areas/{area['id']}/technicians"
    mine, theirs = _technician(provider), _technician(stranger)
    cases = [
        ({"technicianId": mine, "specialties": ["Jukebox"]}, 400, "deviceType"),
        ({"technicianId": mine, "specialties": []}, 400, "specialties"),
        ({"technicianId": mine, "specialties": ["CT"], "status": "asleep"}, 400, "status"),
        ({"technicianId": mine, "specialties": ["CT"], "shift": "9 to 5"}, 400, "shift"),
        ({"technicianId": theirs, "specialties": ["CT"]}, 404, None),
    ]
    for body, status, field in cases:
        response = client.put(url, headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
        assert field is None or response.json()["error"]["field"] == field
    assert (
        client.put(
            url,
            headers=auth(stranger.email, PASSWORD),
            json={"technicianId": theirs, "specialties": ["CT"]},
        ).status_code
        == 404
    )


def test_hubs_are_edited_by_their_own_organisation_only(client, auth):
    owner = make_org(TenantKind.OEM, Role.OEM_SERVICE_MANAGER)
    rival = make_org(TenantKind.OEM, Role.OEM_SERVICE_MANAGER)
    body = {"name": "Patna hub", "hubPincode": "800001", "radiusKm": 10, "maxResponseTimeHours": 4}
    created = client.post(
        "/api/v1/geo/service-areas", headers=auth(owner.email, PASSWORD), json=body
    )
    assert created.status_code == 201
    area_id = created.json()["id"]
    again = client.post("/api/v1/geo/service-areas", headers=auth(owner.email, PASSWORD), json=body)
    assert again.status_code == 409
    rival_headers = auth(rival.email, PASSWORD)
    assert (
        client.get(f"/api/v1/geo/service-areas/{area_id}", headers=rival_headers).status_code == 200
    )  # the network is public
    changed = client.put(
        f"/api/v1/geo/service-areas/{area_id}",
        headers=rival_headers,
        json={**body, "maxResponseTimeHours": 72},
    )
    assert changed.status_code == 404
    assert (
        client.delete(f"/api/v1/geo/service-areas/{area_id}", headers=rival_headers).status_code
        == 404
    )
    buyer = client.post(
        "/api/v1/geo/service-areas", headers=auth("buyer_admin"), json={**body, "name": "Buyer hub"}
    )
    assert buyer.status_code == 403


@pytest.mark.parametrize(
    "change,field",
    [
        ({"hubPincode": "12345"}, "hubPincode"),
        ({"hubPincode": "999999"}, "hubPincode"),
        ({"radiusKm": 0}, "radiusKm"),
        ({"radiusKm": 900}, "radiusKm"),
        ({"maxResponseTimeHours": 0}, "maxResponseTimeHours"),
        ({"pincodes": ["110001", "999999"]}, "pincodes"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_hubs_are_refused_with_the_field(client, auth, change, field):
    provider = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    body = {
        "name": "Indore hub",
        "hubPincode": "452001",
        "radiusKm": 10,
        "maxResponseTimeHours": 4,
        **change,
    }
    response = client.post(
        "/api/v1/geo/service-areas", headers=auth(provider.email, PASSWORD), json=body
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field
