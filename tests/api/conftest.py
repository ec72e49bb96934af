"""Fixtures of the API tests: one in-process client per module and demo-account tokens."""

from __future__ import annotations

import pytest

from services.actor import Role
from services.seed.demo import demo_email


@pytest.fixture(scope="module")
def bearer(token):
    """Authorization headers of the demo account holding `role`."""
    return lambda role: {"Authorization": f"Bearer {token(demo_email(role))}"}


@pytest.fixture(scope="module")
def demo_tenants(client, bearer) -> dict[str, dict]:
    response = client.get("/api/v1/tenants", headers=bearer(Role.PLATFORM_ADMIN))
    assert response.status_code == 200, response.text
    return {t["name"]: t for t in response.json()["tenants"]}
