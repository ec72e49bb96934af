"""Reserving parts at a hub: stock never goes below zero, shortages are 409s that say
what is free, and racing dispatchers cannot both take the last unit."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.errors import Conflict
from services.geo.coverage import save_service_area
from services.parts.models import Part, PartStock
from services.parts.service import reserve_parts
from services.tickets.service import open_ticket
from tests.factories import PASSWORD, make_org, make_served_device


@pytest.fixture(scope="module")
def setup():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    served = make_served_device(hospital, partner, "MVI-CT128")
    with tenant_session(partner.actor) as db:
        hub = save_service_area(
            db,
            partner.actor,
            name="Parts hub",
            hub_pincode="110016",
            radius_km=10,
            max_response_time_hours=4,
        )
        part = Part(
            tenant_id=partner.tenant.id,
            code="CT-TUBE-COOLANT",
            name="Tube coolant kit",
            device_type="CT",
        )
        db.add(part)
        db.flush()
        db.add(PartStock(tenant_id=partner.tenant.id, area_id=hub.id, part_id=part.id, on_hand=3))
        hub_id = hub.id
    return hospital, partner, served, hub_id


def _ticket(setup) -> uuid.UUID:
    hospital, _partner, served, _hub = setup
    with tenant_session(hospital.actor) as db:
        return open_ticket(
            db, hospital.actor, served.device_id, "P2", "CT-COOL-4", "Tube overheating"
        ).id


def _stock(hub_id) -> tuple[int, int]:
    with system_session() as db:
        return tuple(
            db.execute(
                text("SELECT on_hand, reserved FROM part_stock WHERE area_id = :a"), {"a": hub_id}
            ).one()
        )


def _reset(hub_id) -> None:
    with system_session() as db:
        db.execute(
            text("UPDATE part_reservation SET status = 'released' WHERE area_id = :a"),
            {"a": hub_id},
        )
        db.execute(text("UPDATE part_stock SET reserved = 0 WHERE area_id = :a"), {"a": hub_id})


def test_reserving_until_stock_runs_short(client, auth, setup):
    _hospital, partner, _served, hub_id = setup
    _reset(hub_id)
    ticket = _ticket(setup)
    headers = auth(partner.email, PASSWORD)
    body = {"ticketId": str(ticket), "partCode": "CT-TUBE-COOLANT", "hubId": str(hub_id)}
    first = client.post("/api/v1/parts/reserve", headers=headers, json={**body, "qty": 2})
    assert first.status_code == 201, first.text
    short = client.post("/api/v1/parts/reserve", headers=headers, json={**body, "qty": 2})
    assert short.status_code == 409
    assert "Only 1 of CT-TUBE-COOLANT free" in short.json()["error"]["message"]
    assert (
        client.post("/api/v1/parts/reserve", headers=headers, json={**body, "qty": 1}).status_code
        == 201
    )
    assert _stock(hub_id) == (3, 3)
    with system_session() as db:
        events = (
            db.execute(
                text(
                    "SELECT payload FROM outbox_event WHERE name = 'PartReserved' "
                    "AND entity_id = :t ORDER BY seq"
                ),
                {"t": str(ticket)},
            )
            .scalars()
            .all()
        )
    assert [(e["qty"], e["freeAfter"]) for e in events] == [(2, 1), (1, 0)]


@pytest.mark.parametrize(
    "change,status",
    [
        ({"qty": 0}, 400),
        ({"partCode": "NO-SUCH-PART"}, 404),
        ({"hubId": "00000000-0000-4000-8000-000000000000"}, 404),
        ({"ticketId": "00000000-0000-4000-8000-000000000000"}, 404),
    ],
)
def test_bad_reservations_are_refused(client, auth, setup, change, status):
    _hospital, partner, _served, hub_id = setup
    body = {
        "ticketId": str(_ticket(setup)),
        "partCode": "CT-TUBE-COOLANT",
        "hubId": str(hub_id),
        "qty": 1,
        **change,
    }
    response = client.post(
        "/api/v1/parts/reserve", headers=auth(partner.email, PASSWORD), json=body
    )
    assert response.status_code == status, response.text


def test_another_partner_cannot_reserve_for_this_ticket(client, auth, setup):
    _hospital, _partner, _served, hub_id = setup
    other = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    response = client.post(
        "/api/v1/parts/reserve",
        headers=auth(other.email, PASSWORD),
        json={"ticketId": str(_ticket(setup)), "partCode": "CT-TUBE-COOLANT", "hubId": str(hub_id)},
    )
    assert response.status_code == 404


def test_racing_dispatchers_never_take_more_than_is_on_hand(setup):
    _hospital, partner, _served, hub_id = setup
    _reset(hub_id)
    tickets = [_ticket(setup) for _ in range(6)]

    def take(ticket_id) -> bool:
        try:
            with tenant_session(partner.actor) as db:
                reserve_parts(db, partner.actor, ticket_id, "CT-TUBE-COOLANT", hub_id, 1)
            return True
        except Conflict:
            return False

    with ThreadPoolExecutor(max_workers=6) as pool:
        won = list(pool.map(take, tickets))
    assert sum(won) == 3 and _stock(hub_id) == (3, 3)
