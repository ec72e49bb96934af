"""The API keeps the contract its OpenAPI publishes, under fuzzing and at its edges.

Schemathesis generates requests from /api/openapi.json (valid ones and invalid ones) and
sends each as a buyer admin, an OEM admin, a dispatcher and the platform admin, through the
in-process app. No answer may be a server error or a status the operation does not
document, and no request the schema calls valid may be refused by request validation.
It runs in a copy of the test database, so what it creates touches no other test.

`CONTRACT_EXAMPLES` sets the examples per operation (3 here; `python -m bench.fuzz` runs
the same test with many more).
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
import schemathesis
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.api import create_api
from app.api.contract import MAX_OFFSET
from services.actor import Role
from services.seed.demo import demo_email
from tests.conftest import DB_NAME, DEMO_PASSWORD, SERVER_URL

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "3"))
ROLES = (Role.BUYER_ADMIN, Role.OEM_ADMIN, Role.DISPATCHER, Role.PLATFORM_ADMIN)
# Signing in is fuzzed through its documented answers in test_token_grant_keeps_contract:
# wrong passwords there would lock the demo accounts this test signs in with.
TOKEN_PATH = "/api/v1/auth/token"
_validation_rejects: set[str] = set()


@pytest.fixture(scope="module")
def fuzz_database():
    """A copy of the migrated and seeded test database, used while this module runs."""
    from services.db import reset_engines
    from services.settings import get_settings

    name = f"{DB_NAME}_fuzz"
    original = os.environ["DATABASE_URL"]
    reset_engines()
    with psycopg.connect(SERVER_URL, autocommit=True) as con:
        con.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (DB_NAME,),
        )
        con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{DB_NAME}"')
    os.environ["DATABASE_URL"] = original.rsplit("/", 1)[0] + "/" + name
    get_settings.cache_clear()
    try:
        yield
    finally:
        reset_engines()
        os.environ["DATABASE_URL"] = original
        get_settings.cache_clear()
        with psycopg.connect(SERVER_URL, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _noting_validation_rejects(api):
    """The API, noting which requests request validation refused (by request id)."""
    answer = api.exception_handlers[RequestValidationError]

    async def noting(request, exc):
        _validation_rejects.add(getattr(request.state, "request_id", ""))
        return await answer(request, exc)

    api.exception_handlers[RequestValidationError] = noting
    return api


# The app reaches the database only when called, so the copy is in place by then.
contract_api = _noting_validation_rejects(create_api())
schema = schemathesis.openapi.from_asgi("/api/openapi.json", contract_api)
schema.config.seed = int(os.environ.get("CONTRACT_SEED", "20261201"))  # the same cases each run


@pytest.fixture(scope="module")
def role_headers(fuzz_database) -> dict[Role, dict]:
    with TestClient(contract_api) as client:
        headers = {}
        for role in ROLES:
            response = client.post(
                TOKEN_PATH, data={"username": demo_email(role), "password": DEMO_PASSWORD}
            )
            assert response.status_code == 200, response.text
            headers[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return headers


@schemathesis.check
def valid_request_passes_validation(ctx, response, case):
    """A request the schema calls valid is not refused by request validation (a 400 for
    a business rule, such as an unknown SKU, is fine)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    request_id = (response.headers.get("x-request-id") or [""])[0]
    if request_id in _validation_rejects:
        raise AssertionError(f"schema-valid request refused by validation: {response.text}")
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
    valid_request_passes_validation,
]


@schema.exclude(path=TOKEN_PATH).parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_contract(case, role_headers):
    for headers in role_headers.values():
        case.call_and_validate(headers=headers, checks=CHECKS)


@schema.include(path=TOKEN_PATH).parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_token_grant_keeps_its_contract(case, fuzz_database):
    """Generated sign-ins use throwaway user names, so no real account is locked."""
    if isinstance(case.body, dict) and "username" in case.body:
        case.body["username"] = f"nobody-{uuid.uuid4().hex[:8]}@fuzz.invalid"
    case.call_and_validate(checks=CHECKS)


@pytest.mark.parametrize("path", ["/api/v1/rfqs", "/api/v1/audit"])
def test_an_offset_past_the_limit_is_a_400_naming_it(client, auth, path):
    response = client.get(f"{path}?offset=12239359060150233071616", headers=auth("buyer_admin"))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "offset"
    deepest = client.get(f"{path}?offset={MAX_OFFSET}", headers=auth("buyer_admin"))
    assert deepest.status_code == 200, deepest.text


def test_a_wrong_method_is_a_405_with_allow_even_behind_the_pages():
    """Reflex mounts its pages behind the API as a catch-all; the API still answers."""
    api = create_api()
    api.mount(
        "",
        Starlette(
            routes=[
                Route(
                    "/{page:path}",
                    lambda r: HTMLResponse("page"),
                    methods=["GET", "POST", "PUT", "DELETE"],
                )
            ]
        ),
    )
    client = TestClient(api)
    response = client.delete("/api/v1/rfqs")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["error"]["code"] == "method_not_allowed"
    unknown = client.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert client.get("/login").text == "page"


def test_the_openapi_documents_errors_and_limits(client):
    spec = client.get("/api/openapi.json").json()
    rfqs = spec["paths"]["/api/v1/rfqs"]["get"]
    assert {"400", "401", "403", "404"} <= set(rfqs["responses"])
    assert "422" not in rfqs["responses"]
    offset = next(p for p in rfqs["parameters"] if p["name"] == "offset")
    assert offset["schema"]["maximum"] == MAX_OFFSET
    error = rfqs["responses"]["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}
    token = spec["paths"][TOKEN_PATH]["post"]["responses"]
    assert "Retry-After" in token["429"]["headers"]
