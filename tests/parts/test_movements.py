"""Parts operations: a delivery is received with its batch and serials, stock moves between
hubs, counts are corrected with a reason, a job's parts are consumed and the rest freed,
and the stock keepers hear once when a part runs low. Stock never goes negative, not even
when the service's own checks are bypassed."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.geo.coverage import save_service_area
from services.parts.models import Part, PartStock
from services.parts.service import reserve_parts
from services.tickets.service import open_ticket
from tests.factories import PASSWORD, make_org, make_served_device

CODE = "MON-SPO2-PROBE"


@pytest.fixture(scope="module")
def setup():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.OEM_SERVICE_MANAGER)
    served = make_served_device(hospital, partner, "MVI-CT128")
    hubs = []
    with tenant_session(partner.actor) as db:
        for name, pincode in (("Okhla hub", "110020"), ("Gurugram hub", "122001")):
            hub = save_service_area(
                db,
                partner.actor,
                name=name,
                hub_pincode=pincode,
                radius_km=10,
                max_response_time_hours=4,
            )
            hubs.append(hub.id)
        part = Part(tenant_id=partner.tenant.id, code=CODE, name="SpO2 finger probe")
        db.add(part)
        db.flush()
        db.add(PartStock(tenant_id=partner.tenant.id, area_id=hubs[0], part_id=part.id, on_hand=4))
    return hospital, partner, served, hubs


def _stock(hub_id) -> tuple[int, int]:
    with system_session() as db:
        row = db.execute(
            text(
                "SELECT s.on_hand, s.reserved FROM part_stock s JOIN part p ON p.id = s.part_id "
                "WHERE s.area_id = :a AND p.code = :c"
            ),
            {"a": hub_id, "c": CODE},
        ).one()
    return row.on_hand, row.reserved


def _low_notices(partner) -> int:
    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM notification WHERE tenant_id = :t AND kind = 'parts_low'"),
            {"t": partner.tenant.id},
        ).scalar_one()


def test_receipt_clears_a_low_stock_alert_that_was_sent_once(client, auth, setup):
    _hospital, partner, _served, hubs = setup
    headers = auth(partner.email, PASSWORD)
    point = {"hubId": str(hubs[0]), "partCode": CODE, "reorderPoint": 5}
    response = client.put("/api/v1/parts/reorder-points", json=point, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["isLow"] is True, "4 free against a reorder point of 5"
    low = client.get("/api/v1/parts/low-stock", headers=headers).json()["lines"]
    assert [(line["code"], line["free"]) for line in low] == [(CODE, 4)]
    assert _low_notices(partner) == 1

    # Going lower still is the same crossing: no second notice.
    adjust = {"hubId": str(hubs[0]), "partCode": CODE, "change": -1, "reason": "probe cable cut"}
    assert client.post("/api/v1/parts/adjustments", json=adjust, headers=headers).status_code == 201
    assert _low_notices(partner) == 1

    receipt = {
        "hubId": str(hubs[0]),
        "reference": "DN-2026-1181",
        "lines": [{"partCode": CODE, "qty": 3, "batch": "B-77", "serials": ["S1", "S2", "S3"]}],
    }
    response = client.post("/api/v1/parts/receipts", json=receipt, headers=headers)
    assert response.status_code == 201, response.text
    assert _stock(hubs[0]) == (6, 0)
    assert client.get("/api/v1/parts/low-stock", headers=headers).json()["lines"] == []
    moves = client.get("/api/v1/parts/movements", headers=headers).json()["movements"]
    assert moves[0]["kind"] == "receipt" and moves[0]["serials"] == ["S1", "S2", "S3"]
    assert (moves[0]["batch"], moves[0]["onHandAfter"], moves[0]["reference"]) == (
        "B-77",
        6,
        "DN-2026-1181",
    )
    assert moves[1]["reason"] == "probe cable cut"

    # Falling again below the point is a new crossing: a new notice.
    transfer = {"fromHubId": str(hubs[0]), "toHubId": str(hubs[1]), "partCode": CODE, "qty": 2}
    assert client.post("/api/v1/parts/transfers", json=transfer, headers=headers).status_code == 201
    assert _stock(hubs[0]) == (4, 0) and _stock(hubs[1]) == (2, 0)
    assert _low_notices(partner) == 2
    with system_session() as db:
        audited = db.execute(
            text(
                "SELECT array_agg(DISTINCT action) FROM audit_log WHERE tenant_id = :t "
                "AND action LIKE 'part.%'"
            ),
            {"t": partner.tenant.id},
        ).scalar_one()
    assert {"part.receive", "part.transfer", "part.adjust", "part.reorder_point"} <= set(audited)


def test_a_movement_that_would_go_negative_is_refused(client, auth, setup):
    _hospital, partner, _served, hubs = setup
    headers = auth(partner.email, PASSWORD)
    before = _stock(hubs[1])
    too_many = {"fromHubId": str(hubs[1]), "toHubId": str(hubs[0]), "partCode": CODE, "qty": 99}
    response = client.post("/api/v1/parts/transfers", json=too_many, headers=headers)
    assert response.status_code == 409 and "free" in response.json()["error"]["message"]
    adjust = {"hubId": str(hubs[1]), "partCode": CODE, "change": -50, "reason": "stock take"}
    assert client.post("/api/v1/parts/adjustments", json=adjust, headers=headers).status_code == 409
    assert _stock(hubs[1]) == before

    # The database itself refuses, even when the service's checks are bypassed.
    with pytest.raises(IntegrityError) as refused, tenant_session(partner.actor) as db:
        db.execute(
            text("UPDATE part_stock SET on_hand = on_hand - 99 WHERE area_id = :a"),
            {"a": hubs[1]},
        )
    assert isinstance(refused.value.orig, psycopg.errors.CheckViolation)
    assert _stock(hubs[1]) == before


def test_a_job_consumes_what_it_used_and_frees_the_rest(client, auth, setup):
    hospital, partner, served, hubs = setup
    with tenant_session(hospital.actor) as db:
        ticket = open_ticket(db, hospital.actor, served.device_id, "P2", None, "No SpO2 trace").id
    with tenant_session(partner.actor) as db:
        reserve_parts(db, partner.actor, ticket, CODE, hubs[0], 3)
    on_hand = _stock(hubs[0])[0]
    headers = auth(partner.email, PASSWORD)
    body = {"ticketId": str(ticket), "used": [{"partCode": CODE, "qty": 1}]}
    response = client.post("/api/v1/parts/consumption", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json() == {"consumed": 1, "released": 2}
    assert _stock(hubs[0]) == (on_hand - 1, 0)
    moves = client.get("/api/v1/parts/movements?limit=1", headers=headers).json()["movements"]
    assert (moves[0]["kind"], moves[0]["qtyChange"], moves[0]["ticketId"]) == (
        "consumption",
        -1,
        str(ticket),
    )


def test_bad_input_names_the_field(client, auth, setup):
    _hospital, partner, _served, hubs = setup
    headers = auth(partner.email, PASSWORD)
    receipt = {"hubId": str(hubs[0]), "lines": [{"partCode": CODE, "qty": 2, "serials": ["X"]}]}
    response = client.post("/api/v1/parts/receipts", json=receipt, headers=headers)
    assert response.status_code == 400 and response.json()["error"]["field"] == "lines[0].serials"
    receipt = {"hubId": str(uuid.uuid4()), "lines": [{"partCode": CODE, "qty": 1}]}
    response = client.post("/api/v1/parts/receipts", json=receipt, headers=headers)
    assert response.status_code == 400 and response.json()["error"]["field"] == "hubId"
    adjust = {"hubId": str(hubs[0]), "partCode": CODE, "change": 1}
    response = client.post("/api/v1/parts/adjustments", json=adjust, headers=headers)
    assert response.status_code == 400 and response.json()["error"]["field"] == "reason"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/parts/receipts"),
        ("post", "/api/v1/parts/transfers"),
        ("post", "/api/v1/parts/adjustments"),
        ("put", "/api/v1/parts/reorder-points"),
        ("get", "/api/v1/parts/low-stock"),
        ("get", "/api/v1/parts/movements"),
        ("post", "/api/v1/parts/consumption"),
    ],
)
def test_roles_that_may_not_use_a_route_get_403(client, auth, setup, method, path):
    hospital = setup[0]
    response = client.request(method, path, json={}, headers=auth(hospital.email, PASSWORD))
    assert response.status_code == 403


def test_the_demo_hubs_hold_stock_received_into_them(client, auth):
    # The browser journeys restock the demo's low lines, so which lines are low depends on
    # what ran before; every line listed as low is below its reorder point, and the stock
    # came in as receipts.
    for login in ("oem_service_manager", "dispatcher"):
        headers = auth(login)
        low = client.get("/api/v1/parts/low-stock", headers=headers).json()["lines"]
        assert all(line["free"] <= line["reorderPoint"] for line in low)
        moves = client.get("/api/v1/parts/movements", headers=headers).json()["movements"]
        assert "receipt" in {m["kind"] for m in moves}
