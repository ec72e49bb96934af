"""A hospital site and fresh serial numbers for the device tests."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(scope="module")
def hospital_site(client, auth) -> dict:
    """A facility of the demo hospital chain (Safdarjung, pincode 110029)."""
    sites = client.get("/api/v1/facilities", headers=auth("buyer_admin")).json()["facilities"]
    return next(s for s in sites if s["pincode"] == "110029")


def new_serial(prefix: str = "TST") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"
