"""A fresh OEM per test module, signed in through the API, with helpers to list SKUs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from services.actor import Role, TenantKind
from tests.factories import PASSWORD, Org, make_org


@dataclass
class SignedIn:
    org: Org
    headers: dict

    @property
    def id(self) -> str:
        return str(self.org.tenant.id)


@pytest.fixture
def oem(auth) -> SignedIn:
    """A new OEM whose admin is signed in."""
    org = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    return SignedIn(org, auth(org.email, PASSWORD))


@pytest.fixture
def other_oem(auth) -> SignedIn:
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    return SignedIn(org, auth(org.email, PASSWORD))


def unique_code(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def add_sku(client, headers: dict, **fields) -> dict:
    """POST /skus with sensible defaults; asserts it was created."""
    body = {
        "code": unique_code(),
        "name": "Test device",
        "category": "Ultrasound",
        "imdrClass": "B",
        "listPricePaise": 5_00_000_00,
        "gstRate": "12",
    } | fields
    response = client.post("/api/v1/skus", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def search(client, headers: dict, **params) -> dict:
    response = client.get("/api/v1/skus/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()
