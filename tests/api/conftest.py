"""Fixtures of the API tests: one in-process client per module and demo-account tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api import create_api
from services.actor import Role
from services.seed.demo import demo_email

DEMO_PASSWORD = "yantra-demo"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_api()) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def token(client):
    """`token(email, password="yantra-demo")`: the access token of a password grant."""
    issued: dict[tuple[str, str], str] = {}

    def issue(email: str, password: str = DEMO_PASSWORD) -> str:
        if (email, password) not in issued:
            response = client.post("/api/v1/auth/token",
                                   data={"username": email, "password": password})
            assert response.status_code == 200, response.text
            issued[(email, password)] = response.json()["access_token"]
        return issued[(email, password)]

    return issue


@pytest.fixture(scope="module")
def bearer(token):
    """Authorization headers of the demo account holding `role`."""
    return lambda role: {"Authorization": f"Bearer {token(demo_email(role))}"}


@pytest.fixture(scope="module")
def demo_tenants(client, bearer) -> dict[str, dict]:
    response = client.get("/api/v1/tenants", headers=bearer(Role.PLATFORM_ADMIN))
    assert response.status_code == 200, response.text
    return {t["name"]: t for t in response.json()["tenants"]}
