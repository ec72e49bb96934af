"""The REST API as its clients meet it: tokens, identity, pincodes, errors, roles, visibility."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid

import pytest
from fastapi.routing import iter_route_contexts
from joserfc import jwt
from joserfc.jwk import OctKey

from app.api import create_api
from services.actor import Role
from services.seed.demo import FACILITIES, ORGS, PLATFORM_NAME, SKUS, demo_email
from services.settings import get_settings

DEMO_PASSWORD = "yantra-demo"
# Signing in (token or browser session) and signing out of a browser need no token.
OPEN_PATHS = {
    "/api/v1/auth/token",
    "/api/v1/auth/session",
    "/api/v1/auth/links/{secret}",  # a one-time link's secret is its own credential
    "/api/v1/health",
    # WhatsApp's webhook proves itself with the verify token and the body's signature
    # (tests/whatsapp covers both)
    "/api/v1/whatsapp/webhook",
}
# The organisation each demo account belongs to, as the platform guide describes them.
HOME = {
    Role.PLATFORM_ADMIN: (PLATFORM_NAME, "platform"),
    Role.BUYER_ADMIN: ("Sanjeevani Hospitals (demo)", "hospital_chain"),
    Role.BUYER_USER: ("Sanjeevani Hospitals (demo)", "hospital_chain"),
    Role.LAB_STAFF: ("Arogya Diagnostics Network (demo)", "lab_chain"),
    Role.OEM_ADMIN: ("Medivance Imaging (demo)", "oem"),
    Role.OEM_SALES: ("Medivance Imaging (demo)", "oem"),
    Role.OEM_SERVICE_MANAGER: ("Medivance Imaging (demo)", "oem"),
    Role.DISPATCHER: ("Kaveri Biomedical Services (demo)", "service_partner"),
    Role.TECHNICIAN: ("Kaveri Biomedical Services (demo)", "service_partner"),
}
HOSPITAL_SITES = {row[0] for row in FACILITIES["hospital"]}
LAB_SITES = {row[0] for row in FACILITIES["lab"]}


def _error(response, status: int) -> dict:
    """The error of a response, checked against the one error model of the API."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "field", "requestId"}, error
    assert error["code"] and error["message"]
    assert error["requestId"] == response.headers["x-request-id"]
    return error


def _all_pages(client, path: str, key: str, headers: dict, **params) -> list[dict]:
    rows, offset = [], 0
    while True:
        page = client.get(path, headers=headers, params={**params, "limit": 200, "offset": offset})
        assert page.status_code == 200, page.text
        batch = page.json()[key]
        rows += batch
        if len(batch) < 200:
            return rows
        offset += 200


def _api_routes() -> list[tuple[str, str]]:
    """(method, path template) of every /api/v1 route of a fresh app, documented or not."""
    found = set()
    for route in iter_route_contexts(create_api().routes):
        path = route.path or ""
        if path.startswith("/api/v1"):
            found |= {(method, path) for method in (route.methods or ()) if method != "HEAD"}
    return sorted(found)


PROTECTED = [(m, p) for m, p in _api_routes() if p not in OPEN_PATHS]


def _forged(claims: dict, key: str | None = None) -> str:
    now = int(time.time())
    base = {
        "iss": "yantra-local",
        "sub": str(uuid.uuid4()),
        "tid": str(uuid.uuid4()),
        "tkind": "platform",
        "roles": ["platform_admin"],
        "iat": now,
        "exp": now + 600,
    }
    secret = OctKey.import_key(key or get_settings().signing_key())
    return jwt.encode({"alg": "HS256"}, {**base, **claims}, secret)


# --- Token issue ---------------------------------------------------------------------------


def test_password_grant_issues_a_bearer_token_that_names_the_account(client):
    response = client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": demo_email(Role.DISPATCHER),
            "password": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["roles"] == ["dispatcher"]


def test_a_wrong_password_and_an_unknown_account_are_refused_alike(client):
    wrong = _error(
        client.post(
            "/api/v1/auth/token",
            data={"username": demo_email(Role.DISPATCHER), "password": "not-the-password"},
        ),
        401,
    )
    unknown = _error(
        client.post(
            "/api/v1/auth/token",
            data={
                "username": f"nobody-{uuid.uuid4().hex[:8]}@demo.yantra.in",
                "password": DEMO_PASSWORD,
            },
        ),
        401,
    )
    assert wrong["code"] == unknown["code"] == "unauthorized"
    assert wrong["message"] == unknown["message"], "the answer must not reveal which accounts exist"


@pytest.mark.parametrize(
    "form,field",
    [
        ({"username": "dispatcher@demo.yantra.in"}, "password"),
        ({"password": DEMO_PASSWORD}, "username"),
        ({"grant_type": "client_credentials", "client_id": "x@svc.yantra.in"}, "client_secret"),
    ],
    ids=["no-password", "no-username", "no-client-secret"],
)
def test_a_token_request_missing_a_field_names_it(client, form, field):
    assert _error(client.post("/api/v1/auth/token", data=form), 400)["field"] == field


def test_an_unknown_grant_type_is_a_bad_request(client):
    error = _error(
        client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "magic",
                "username": demo_email(Role.DISPATCHER),
                "password": DEMO_PASSWORD,
            },
        ),
        400,
    )
    assert error["code"] == "invalid" and error["field"] == "grant_type"


def test_a_service_account_signs_in_with_client_credentials_only(client, bearer, demo_tenants):
    partner = demo_tenants["Kaveri Biomedical Services (demo)"]
    client_id = f"erp-{uuid.uuid4().hex[:10]}@svc.yantra.in"
    secret = f"s3rvice-{uuid.uuid4().hex}"
    created = client.post(
        f"/api/v1/tenants/{partner['id']}/users",
        headers=bearer(Role.PLATFORM_ADMIN),
        json={
            "email": client_id,
            "fullName": "ERP connector",
            "roles": ["dispatcher"],
            "password": secret,
            "serviceAccount": True,
        },
    )
    assert created.status_code == 201, created.text

    granted = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["token_type"] == "bearer" and granted.json()["expires_in"] > 0
    me = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {granted.json()['access_token']}"}
    ).json()
    assert me["tenantId"] == partner["id"] and me["roles"] == ["dispatcher"]
    assert me["userId"] == created.json()["id"]

    _error(client.post("/api/v1/auth/token", data={"username": client_id, "password": secret}), 401)
    _error(
        client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": "not-the-secret",
            },
        ),
        401,
    )


def test_a_person_cannot_use_the_client_credentials_grant(client):
    _error(
        client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": demo_email(Role.DISPATCHER),
                "client_secret": DEMO_PASSWORD,
            },
        ),
        401,
    )


# --- Identity --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_me_names_the_caller_and_its_organisation(client, bearer, demo_tenants, role):
    response = client.get("/api/v1/me", headers=bearer(role))
    assert response.status_code == 200, response.text
    me = response.json()
    assert set(me) == {"userId", "tenantId", "tenantKind", "roles", "phone"}
    org_name, kind = HOME[role]
    assert me["roles"] == [role.value]
    assert me["tenantKind"] == kind
    assert me["tenantId"] == demo_tenants[org_name]["id"]
    assert uuid.UUID(me["userId"])


# --- Every route but token issue, health and docs needs a token -----------------------------


def test_the_route_sweep_covers_every_documented_route(client):
    documented = {
        (method.upper(), path)
        for path, ops in client.get("/api/openapi.json").json()["paths"].items()
        for method in ops
        if path not in OPEN_PATHS
    }
    assert documented and documented <= set(PROTECTED)
    assert ("GET", "/api/v1/me") in PROTECTED and ("POST", "/api/v1/tenants") in PROTECTED


@pytest.mark.parametrize("method,path", PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"], ids=["none", "garbage"])
def test_a_route_refuses_a_caller_without_a_valid_token(client, method, path, authorization):
    url = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
    headers = {"Authorization": authorization} if authorization else {}
    response = client.request(method, url, headers=headers)
    assert _error(response, 401)["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "forge",
    [
        lambda: _forged({}, key="someone-elses-signing-key-0123456789abcdef"),
        lambda: _forged({"exp": int(time.time()) - 60, "iat": int(time.time()) - 3600}),
        lambda: _forged({"iss": "https://evil.example"}),
    ],
    ids=["foreign-key", "expired", "foreign-issuer"],
)
def test_a_forged_or_expired_token_is_refused(client, forge):
    _error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {forge()}"}), 401)


def test_a_token_whose_roles_were_edited_is_refused(client, token):
    header, payload, signature = token(demo_email(Role.DISPATCHER)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["platform_admin"]
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{edited}.{signature}"
    _error(client.get("/api/v1/tenants", headers={"Authorization": f"Bearer {tampered}"}), 401)


def test_health_and_docs_answer_without_a_token(client):
    health = client.get("/api/v1/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]


def test_openapi_documents_the_pincode_lookup(client):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "get" in paths["/api/v1/geo/pincodes/{pincode}"]
    assert "post" in paths["/api/v1/auth/token"]


# --- Pincodes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pincode,city,district,state,lat,lng",
    [
        ("110001", "New Delhi", "New Delhi", "Delhi", 28.62, 77.22),
        ("560001", "Bengaluru", "Bengaluru Urban", "Karnataka", 12.98, 77.59),
        ("600001", "Chennai", "Chennai", "Tamil Nadu", 13.10, 80.28),
        ("190001", "Srinagar", "Srinagar", "Jammu and Kashmir", 34.08, 74.82),
    ],
)
def test_a_pincode_answers_with_its_place(client, bearer, pincode, city, district, state, lat, lng):
    response = client.get(f"/api/v1/geo/pincodes/{pincode}", headers=bearer(Role.TECHNICIAN))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"pincode", "city", "state", "district", "latitude", "longitude"}
    assert (body["pincode"], body["city"], body["district"], body["state"]) == (
        pincode,
        city,
        district,
        state,
    )
    assert abs(body["latitude"] - lat) < 0.05 and abs(body["longitude"] - lng) < 0.05
    for name in (body["city"], body["district"], body["state"]):
        assert name != name.upper() and name[0].isupper(), f"{name!r} is not in proper case"


def test_an_unknown_pincode_is_not_found(client, bearer):
    error = _error(client.get("/api/v1/geo/pincodes/999999", headers=bearer(Role.TECHNICIAN)), 404)
    assert error["code"] == "not_found" and "999999" in error["message"]


@pytest.mark.parametrize("bad", ["11000", "abcdef", "0110001", "1100011", "011000", "11000a"])
def test_a_malformed_pincode_is_a_bad_request_naming_the_field(client, bearer, bad):
    error = _error(client.get(f"/api/v1/geo/pincodes/{bad}", headers=bearer(Role.TECHNICIAN)), 400)
    assert error["code"] == "invalid" and error["field"] == "pincode"


# --- The error model and request ids --------------------------------------------------------


@pytest.mark.parametrize(
    "method,path,role,status,code",
    [
        ("GET", "/api/v1/me", None, 401, "unauthorized"),
        ("GET", "/api/v1/tenants", Role.TECHNICIAN, 403, "forbidden"),
        ("GET", "/api/v1/geo/pincodes/999999", Role.BUYER_USER, 404, "not_found"),
        ("GET", "/api/v1/no-such-route", Role.BUYER_USER, 404, "not_found"),
        ("DELETE", "/api/v1/me", Role.BUYER_USER, 405, "method_not_allowed"),
        ("GET", "/api/v1/skus?limit=0", Role.BUYER_USER, 400, "invalid"),
    ],
    ids=["401", "403", "404-domain", "404-route", "405", "400-query"],
)
def test_every_error_has_the_same_shape_and_request_id(
    client, bearer, method, path, role, status, code
):
    headers = bearer(role) if role else {}
    assert _error(client.request(method, path, headers=headers), status)["code"] == code


def test_a_query_validation_error_names_the_field(client, bearer):
    error = _error(
        client.get("/api/v1/skus", params={"limit": 0}, headers=bearer(Role.BUYER_USER)), 400
    )
    assert error["field"] == "limit"


def test_a_body_that_is_not_json_names_no_bogus_field(client, bearer):
    response = client.post(
        "/api/v1/tenants",
        content=b"{not json",
        headers={**bearer(Role.PLATFORM_ADMIN), "Content-Type": "application/json"},
    )
    assert _error(response, 400)["field"] == "body"


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/openapi.json", "/api/docs"])
def test_every_response_carries_a_request_id(client, path):
    first, second = client.get(path), client.get(path)
    assert first.status_code == 200
    assert len(first.headers["x-request-id"]) >= 16
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_a_callers_request_id_is_echoed_and_a_bad_one_replaced(client, bearer):
    trace = f"trace-{uuid.uuid4().hex[:12]}"
    ok = client.get("/api/v1/me", headers={**bearer(Role.BUYER_USER), "X-Request-ID": trace})
    assert ok.status_code == 200 and ok.headers["x-request-id"] == trace
    failed = client.get(
        "/api/v1/geo/pincodes/999999", headers={**bearer(Role.BUYER_USER), "X-Request-ID": trace}
    )
    assert _error(failed, 404)["requestId"] == trace
    hostile = client.get("/api/v1/health", headers={"X-Request-ID": "<script>x</script>"})
    assert hostile.headers["x-request-id"] != "<script>x</script>"
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", hostile.headers["x-request-id"])


# --- Roles are checked on the server ----------------------------------------------------------


def test_only_admins_list_organisations_and_the_platform_sees_them_all(client, bearer):
    assert (
        _error(client.get("/api/v1/tenants", headers=bearer(Role.DISPATCHER)), 403)["code"]
        == "forbidden"
    )
    response = client.get("/api/v1/tenants", headers=bearer(Role.PLATFORM_ADMIN))
    assert response.status_code == 200
    kinds = {t["name"]: t["kind"] for t in response.json()["tenants"]}
    expected = {org.name: org.kind.value for org in ORGS} | {PLATFORM_NAME: "platform"}
    assert {name: kinds.get(name) for name in expected} == expected
    own = client.get("/api/v1/tenants", headers=bearer(Role.BUYER_ADMIN)).json()["tenants"]
    assert [t["name"] for t in own] == ["Sanjeevani Hospitals (demo)"]


def test_only_the_platform_admin_verifies_the_audit_trail(client, bearer):
    _error(client.get("/api/v1/audit/verify", headers=bearer(Role.BUYER_ADMIN)), 403)
    report = client.get("/api/v1/audit/verify", headers=bearer(Role.PLATFORM_ADMIN))
    assert report.status_code == 200, report.text
    assert report.json()["intact"] is True and report.json()["checked"] > 0


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "Castle Works", "kind": "castle"}, "kind"),
        ({"kind": "oem"}, "name"),
        ({"name": "   ", "kind": "oem"}, "name"),
    ],
    ids=["bad-kind", "no-name", "blank-name"],
)
def test_creating_an_organisation_with_bad_input_names_the_field(client, bearer, body, field):
    response = client.post("/api/v1/tenants", headers=bearer(Role.PLATFORM_ADMIN), json=body)
    assert _error(response, 400)["field"] == field


def test_only_the_platform_admin_creates_organisations(client, bearer):
    response = client.post(
        "/api/v1/tenants",
        headers=bearer(Role.BUYER_ADMIN),
        json={"name": f"Rogue {uuid.uuid4().hex[:6]}", "kind": "oem"},
    )
    assert _error(response, 403)["code"] == "forbidden"


def test_an_organisation_admin_cannot_add_accounts_to_another_organisation(
    client, bearer, demo_tenants
):
    partner = demo_tenants["Kaveri Biomedical Services (demo)"]
    email = f"intruder-{uuid.uuid4().hex[:8]}@test.yantra.in"
    response = client.post(
        f"/api/v1/tenants/{partner['id']}/users",
        headers=bearer(Role.BUYER_ADMIN),
        json={
            "email": email,
            "fullName": "Intruder",
            "roles": ["dispatcher"],
            "password": "intruder-password-1",
        },
    )
    _error(response, 404)
    _error(
        client.post(
            "/api/v1/auth/token", data={"username": email, "password": "intruder-password-1"}
        ),
        401,
    )


# --- What each caller may see ------------------------------------------------------------------


def test_a_buyer_sees_the_skus_of_both_demo_oems(client, bearer, demo_tenants):
    oem_ids = {demo_tenants[org.name]["id"]: org.name for org in ORGS if org.kind == "oem"}
    skus = _all_pages(client, "/api/v1/skus", "skus", bearer(Role.BUYER_USER))
    demo = [s for s in skus if s["oemId"] in oem_ids]
    assert all(s["oemName"] == oem_ids[s["oemId"]] for s in demo)
    # The hand-written SKUs, beside the generated demo catalog.
    assert {row[0] for rows in SKUS.values() for row in rows} <= {s["code"] for s in demo}
    assert {s["oemId"] for s in demo} == set(oem_ids)


def test_an_oem_asking_for_its_own_skus_sees_only_its_own(client, bearer):
    mine = _all_pages(client, "/api/v1/skus", "skus", bearer(Role.OEM_SALES), mine="true")
    assert {s["oemName"] for s in mine} == {"Medivance Imaging (demo)"}
    assert {row[0] for row in SKUS["oem1"]} <= {s["code"] for s in mine}
    assert not {row[0] for row in SKUS["oem2"]} & {s["code"] for s in mine}


def test_a_dispatcher_sees_the_hospitals_shared_sites_but_not_the_labs(client, bearer):
    sites = _all_pages(client, "/api/v1/facilities", "facilities", bearer(Role.DISPATCHER))
    names = {f["name"] for f in sites}
    assert HOSPITAL_SITES <= names
    assert not names & LAB_SITES
    assert not any(f["owned"] for f in sites if f["name"] in HOSPITAL_SITES)


def test_lab_staff_see_only_their_chains_four_sites(client, bearer):
    sites = _all_pages(client, "/api/v1/facilities", "facilities", bearer(Role.LAB_STAFF))
    assert len(sites) == 4
    assert {f["name"] for f in sites} == LAB_SITES
    assert all(f["owned"] for f in sites)
