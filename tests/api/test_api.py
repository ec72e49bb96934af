"""The REST API as its clients meet it: tokens, identity, pincodes, errors, roles."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from app.api import create_api
from services.actor import Role
from services.seed.demo import demo_email

KINDS = {Role.PLATFORM_ADMIN: "platform", Role.BUYER_ADMIN: "hospital_chain",
         Role.BUYER_USER: "hospital_chain", Role.LAB_STAFF: "lab_chain", Role.OEM_ADMIN: "oem",
         Role.OEM_SALES: "oem", Role.OEM_SERVICE_MANAGER: "oem",
         Role.DISPATCHER: "service_partner", Role.TECHNICIAN: "service_partner"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_api())


@pytest.fixture(scope="module")
def bearer(client):
    cache = {}

    def headers(role: Role) -> dict:
        if role not in cache:
            token = client.post("/api/v1/auth/token", data={
                "username": demo_email(role), "password": "yantra-demo"}).json()["access_token"]
            cache[role] = {"Authorization": f"Bearer {token}"}
        return cache[role]

    return headers


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "requestId"}
    assert body["error"]["requestId"] == response.headers["x-request-id"]
    return body["error"]


def test_password_grant_issues_a_bearer_token(client):
    response = client.post("/api/v1/auth/token", data={
        "username": demo_email(Role.DISPATCHER), "password": "yantra-demo"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0 and body["access_token"]


def test_token_requests_that_fail(client):
    wrong = client.post("/api/v1/auth/token", data={
        "username": demo_email(Role.DISPATCHER), "password": "nope"})
    assert _error(wrong, 401)["code"] == "unauthorized"
    missing = client.post("/api/v1/auth/token", data={"username": demo_email(Role.DISPATCHER)})
    assert _error(missing, 400)["field"] == "password"
    grant = client.post("/api/v1/auth/token", data={"grant_type": "magic", "username": "a",
                                                    "password": "b"})
    assert _error(grant, 400)["field"] == "grant_type"


def test_service_accounts_use_client_credentials(client, bearer):
    tenants = client.get("/api/v1/tenants", headers=bearer(Role.PLATFORM_ADMIN)).json()["tenants"]
    partner = next(t for t in tenants if t["kind"] == "service_partner")
    client_id = f"erp-{uuid.uuid4().hex[:8]}@svc.yantra.in"
    created = client.post(f"/api/v1/tenants/{partner['id']}/users",
                          headers=bearer(Role.PLATFORM_ADMIN),
                          json={"email": client_id, "fullName": "ERP connector",
                                "roles": ["dispatcher"], "password": "s3rvice-secret-123",
                                "serviceAccount": True})
    assert created.status_code == 201, created.text
    token = client.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": client_id,
        "client_secret": "s3rvice-secret-123"})
    assert token.status_code == 200
    me = client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {token.json()['access_token']}"}).json()
    assert me["tenantId"] == partner["id"] and me["roles"] == ["dispatcher"]
    as_person = client.post("/api/v1/auth/token", data={
        "username": client_id, "password": "s3rvice-secret-123"})
    _error(as_person, 401)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_me_names_the_caller(client, bearer, role):
    me = client.get("/api/v1/me", headers=bearer(role)).json()
    assert set(me) == {"userId", "tenantId", "tenantKind", "roles"}
    assert me["roles"] == [role.value] and me["tenantKind"] == KINDS[role]


def _protected_paths(client) -> list[tuple[str, str]]:
    spec = client.get("/api/openapi.json").json()
    open_paths = {"/api/v1/auth/token", "/api/v1/health"}
    return [(method.upper(), path.replace("{", "").replace("}", ""))
            for path, methods in spec["paths"].items() if path not in open_paths
            for method in methods]


def test_every_route_but_token_health_and_docs_needs_a_token(client):
    paths = _protected_paths(client)
    assert len(paths) >= 20
    for method, path in paths:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize("pincode,city,district,state,lat,lng", [
    ("110001", "New Delhi", "New Delhi", "Delhi", 28.62, 77.22),
    ("560001", "Bengaluru", "Bengaluru Urban", "Karnataka", 12.98, 77.59),
    ("600001", "Chennai", "Chennai", "Tamil Nadu", 13.10, 80.28),
])
def test_pincodes_answer_with_real_data(client, bearer, pincode, city, district, state, lat, lng):
    body = client.get(f"/api/v1/geo/pincodes/{pincode}", headers=bearer(Role.TECHNICIAN)).json()
    assert set(body) == {"pincode", "city", "state", "district", "latitude", "longitude"}
    assert (body["pincode"], body["city"], body["district"], body["state"]) == (
        pincode, city, district, state)
    assert abs(body["latitude"] - lat) < 0.05 and abs(body["longitude"] - lng) < 0.05


def test_unknown_and_malformed_pincodes(client, bearer):
    assert _error(client.get("/api/v1/geo/pincodes/999999", headers=bearer(Role.TECHNICIAN)),
                  404)["code"] == "not_found"
    for bad in ("11000", "abcdef", "0110001", "1100011", "011000"):
        error = _error(client.get(f"/api/v1/geo/pincodes/{bad}",
                                  headers=bearer(Role.TECHNICIAN)), 400)
        assert error["field"] == "pincode"


def test_request_ids_are_on_every_response_and_echoed(client, bearer):
    ok = client.get("/api/v1/me", headers=bearer(Role.BUYER_USER))
    assert len(ok.headers["x-request-id"]) >= 16
    mine = client.get("/api/v1/me", headers={**bearer(Role.BUYER_USER),
                                             "X-Request-ID": "trace-1234abcd"})
    assert mine.headers["x-request-id"] == "trace-1234abcd"


def test_roles_are_checked_on_the_server(client, bearer):
    assert _error(client.get("/api/v1/tenants", headers=bearer(Role.DISPATCHER)), 403)
    names = {t["name"] for t in client.get("/api/v1/tenants",
                                           headers=bearer(Role.PLATFORM_ADMIN)).json()["tenants"]}
    assert {"Sanjeevani Hospitals (demo)", "Medivance Imaging (demo)"} <= names
    _error(client.get("/api/v1/audit/verify", headers=bearer(Role.BUYER_ADMIN)), 403)
    assert client.get("/api/v1/audit/verify", headers=bearer(Role.PLATFORM_ADMIN)).json()["intact"]
    bad_kind = client.post("/api/v1/tenants", headers=bearer(Role.PLATFORM_ADMIN),
                           json={"name": "X", "kind": "castle"})
    assert _error(bad_kind, 400)["field"] == "kind"
    no_name = client.post("/api/v1/tenants", headers=bearer(Role.PLATFORM_ADMIN),
                          json={"kind": "oem"})
    assert _error(no_name, 400)["field"] == "name"


def test_each_caller_lists_what_it_may_see(client, bearer):
    skus = client.get("/api/v1/skus", headers=bearer(Role.BUYER_USER)).json()["skus"]
    demo = [s for s in skus if s["oemName"].endswith("(demo)")]
    assert len(demo) == 10 and len({s["oemName"] for s in demo}) == 2
    mine = client.get("/api/v1/skus", params={"mine": "true"},
                      headers=bearer(Role.OEM_SALES)).json()["skus"]
    assert len(mine) == 5 and {s["oemName"] for s in mine} == {"Medivance Imaging (demo)"}

    def sites(role):
        rows = client.get("/api/v1/facilities", headers=bearer(role)).json()["facilities"]
        return {f["name"] for f in rows}

    assert len([n for n in sites(Role.DISPATCHER) if n.startswith("Sanjeevani")]) == 5
    assert not [n for n in sites(Role.DISPATCHER) if n.startswith("Arogya")]
    assert {n for n in sites(Role.LAB_STAFF)} == {n for n in sites(Role.LAB_STAFF)
                                                    if n.startswith("Arogya")}
    assert len(sites(Role.LAB_STAFF)) == 4
