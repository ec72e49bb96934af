"""An API client and demo sign-ins for the device tests."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from app.api import create_api


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_api())


@pytest.fixture(scope="module")
def auth(client):
    cache: dict[str, dict] = {}

    def headers(role: str) -> dict:
        if role not in cache:
            response = client.post("/api/v1/auth/token", data={
                "username": f"{role}@demo.yantra.in", "password": "yantra-demo"})
            assert response.status_code == 200, response.text
            cache[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return cache[role]

    return headers


@pytest.fixture(scope="module")
def hospital_site(client, auth) -> dict:
    """A facility of the demo hospital chain (Safdarjung, pincode 110029)."""
    sites = client.get("/api/v1/facilities", headers=auth("buyer_admin")).json()["facilities"]
    return next(s for s in sites if s["pincode"] == "110029")


def new_serial(prefix: str = "TST") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"
