"""After an OEM's counter-offer the coach weighs it for the buyer, unasked: the outbox
subscriber posts one tip per counter-offer, seen by the buyer only, even when delivered twice."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from services.actor import TenantKind, system_actor
from services.db import system_session, tenant_session
from services.events.registry import EventView, load_modules, subscribers
from services.negotiation.flows import weigh_counter_offer
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LIST = 20_00_000_00


def _counter_event(rfq_id: str) -> EventView:
    with system_session() as db:
        row = (
            db.execute(
                text("""
            SELECT id, name, tenant_id, entity, entity_id, payload FROM outbox_event
             WHERE name = 'CounterOffered' AND entity_id = :r ORDER BY seq DESC LIMIT 1"""),
                {"r": rfq_id},
            )
            .mappings()
            .one()
        )
    return EventView(
        str(row["id"]),
        row["name"],
        str(row["tenant_id"]),
        row["entity"],
        row["entity_id"],
        dict(row["payload"]),
    )


def _tips(actor, rfq_id: str) -> list[dict]:
    with tenant_session(actor) as db:
        return [
            dict(r)
            for r in db.execute(
                text(
                    "SELECT side, audience, offer FROM negotiation_message "
                    "WHERE rfq_id = :r AND kind = 'coachTip'"
                ),
                {"r": rfq_id},
            ).mappings()
        ]


def test_the_coach_weighs_a_counter_offer_for_the_side_that_received_it(client, market):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, LIST, LIST)
    countered = client.post(
        f"/api/v1/rfqs/{rfq_id}/negotiation/counters",
        headers=market.headers["oem_a"],
        json={
            "offer": {
                "lines": [
                    {"item": market.sku_a.code, "unitPricePaise": 19_00_000_00},
                    {"item": market.sku_b.code, "unitPricePaise": 19_50_000_00},
                ]
            }
        },
    )
    assert countered.status_code == 201, countered.text
    load_modules()
    assert subscribers()["negotiation_coach"].accepts("CounterOffered")

    event = _counter_event(rfq_id)
    oem = system_actor(uuid.UUID(event.tenant_id), TenantKind.OEM, "subscriber:test")
    for _ in range(2):  # delivered at least once: the second delivery adds nothing
        with tenant_session(oem) as db:
            weigh_counter_offer(db, event)

    tips = _tips(market.buyer.actor, rfq_id)
    assert len(tips) == 1
    assert tips[0]["audience"] == "buyer"
    assert tips[0]["offer"]["weighs"] == countered.json()["id"]
    assert tips[0]["offer"]["band"]
    assert _tips(market.oem_a.actor, rfq_id) == []
