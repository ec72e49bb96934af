"""OEM users add, change and withdraw their SKUs; buyers and other OEMs cannot."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from services.db import system_session
from tests.catalog.conftest import add_sku, search, unique_code


def _trail(sku_id: str) -> tuple[list[str], list[str]]:
    """Audit actions and outbox events recorded about one SKU, oldest first."""
    with system_session() as db:
        actions = list(
            db.execute(
                text("SELECT action FROM audit_log WHERE entity_id = :i ORDER BY seq"),
                {"i": sku_id},
            ).scalars()
        )
        events = list(
            db.execute(
                text("SELECT name FROM outbox_event WHERE entity_id = :i ORDER BY seq"),
                {"i": sku_id},
            ).scalars()
        )
    return actions, events


def test_an_oem_adds_changes_and_withdraws_its_sku(client, auth, oem):
    sku = add_sku(
        client,
        oem.headers,
        name="Lumora 12 Patient Monitor",
        category="patient MONITOR",
        attrs={"parameters": 6},
        datasheetUrl="https://example.in/lumora.pdf",
        description="Six parameters",
    )
    assert (sku["category"], sku["oemId"], sku["isActive"]) == ("Patient monitor", oem.id, True)

    changed = client.patch(
        f"/api/v1/skus/{sku['id']}",
        headers=oem.headers,
        json={
            "listPricePaise": 4_25_000_00,
            "gstRate": "5",
            "attrs": {"parameters": 8},
            "description": "Eight parameters",
            "datasheetUrl": None,
        },
    )
    assert changed.status_code == 200, changed.text
    seen = client.get(f"/api/v1/skus/{sku['id']}", headers=auth("buyer_user")).json()
    assert (seen["listPricePaise"], seen["gstRate"], seen["attrs"], seen["datasheetUrl"]) == (
        4_25_000_00,
        "5.00",
        {"parameters": 8},
        None,
    )

    gone = client.delete(f"/api/v1/skus/{sku['id']}", headers=oem.headers)
    assert (gone.status_code, gone.json()["isActive"]) == (200, False)
    assert search(client, auth("buyer_user"), q="lumora", oemId=oem.id)["total"] == 0
    assert _trail(sku["id"]) == (
        ["sku.create", "sku.update", "sku.deactivate"],
        ["CatalogUpdated"] * 3,
    )


def test_a_buyer_cannot_write_the_catalog(client, auth):
    buyer = auth("buyer_admin")
    demo = client.get("/api/v1/skus", headers=buyer).json()["skus"][0]
    body = {
        "code": unique_code(),
        "name": "x",
        "category": "MRI",
        "imdrClass": "C",
        "listPricePaise": 100,
    }
    assert client.post("/api/v1/skus", json=body, headers=buyer).status_code == 403
    assert (
        client.patch(
            f"/api/v1/skus/{demo['id']}", json={"listPricePaise": 1}, headers=buyer
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/skus/{demo['id']}", headers=buyer).status_code == 403
    upload = client.post(
        "/api/v1/skus/import", headers=buyer, files={"file": ("p.csv", b"code\n", "text/csv")}
    )
    assert upload.status_code == 403


def test_an_oem_cannot_touch_another_oems_sku(client, oem, other_oem):
    theirs = add_sku(
        client, oem.headers, name="Guarded Defibrillator", category="Defibrillator", imdrClass="D"
    )
    patch = client.patch(
        f"/api/v1/skus/{theirs['id']}", json={"listPricePaise": 1}, headers=other_oem.headers
    )
    assert patch.status_code == 403
    assert (
        client.delete(f"/api/v1/skus/{theirs['id']}", headers=other_oem.headers).status_code == 403
    )
    unchanged = client.get(f"/api/v1/skus/{theirs['id']}", headers=other_oem.headers).json()
    assert (unchanged["listPricePaise"], unchanged["isActive"]) == (5_00_000_00, True)
    missing = client.patch(
        f"/api/v1/skus/{uuid.uuid4()}", json={"listPricePaise": 1}, headers=other_oem.headers
    )
    assert missing.status_code == 404


def test_bad_sku_fields_are_refused_naming_the_field(client, oem):
    good = {
        "code": unique_code(),
        "name": "Valid Ultrasound",
        "category": "Ultrasound",
        "imdrClass": "B",
        "listPricePaise": 10_000_00,
        "gstRate": "12",
    }
    cases = [
        ({"imdrClass": "E"}, "imdrClass"),
        ({"gstRate": "7"}, "gstRate"),
        ({"listPricePaise": -5}, "listPricePaise"),
        ({"listPricePaise": 10.5}, "listPricePaise"),
        ({"datasheetUrl": "ftp://example.in/x.pdf"}, "datasheetUrl"),
        ({"name": "  "}, "name"),
        ({"code": "bad code!"}, "code"),
        ({"attrs": {"probes": {"nested": 1}}}, "attrs.probes"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        response = client.post("/api/v1/skus", json=good | change, headers=oem.headers)
        assert response.status_code == 400, (change, response.text)
        assert response.json()["error"]["field"] == field, change
    assert client.post("/api/v1/skus", json=good, headers=oem.headers).status_code == 201
    again = client.post(
        "/api/v1/skus", json=good | {"code": good["code"].lower()}, headers=oem.headers
    )
    assert again.status_code == 409


def test_a_patch_cannot_change_the_code_or_null_a_price(client, oem):
    sku = add_sku(client, oem.headers)
    for body, field in (
        ({"code": "NEW-1"}, "code"),
        ({"listPricePaise": None}, "listPricePaise"),
        ({}, "body"),
    ):
        response = client.patch(f"/api/v1/skus/{sku['id']}", json=body, headers=oem.headers)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["field"] == field, body
