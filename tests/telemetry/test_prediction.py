"""The failure model on stored telemetry: a degrading device gets one preemptive ticket with
its evidence, a healthy one none; `/predict` answers who may ask."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.columns import utcnow
from services.db import system_session, tenant_session
from services.telemetry.demo import load_readings
from services.telemetry.prediction import load_model
from services.telemetry.simulator import DeviceProfile
from tests.factories import PASSWORD, make_org, make_served_device

NOW = utcnow().replace(minute=30, second=0, microsecond=0)


@pytest.fixture(scope="module")
def fleet():
    """A hospital with two MRIs sending 14 days of hourly telemetry: one whose cold head
    is failing (it stops in 5 days), one healthy."""
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    failing = make_served_device(hospital, None, "MVI-MR15").device_id
    healthy = make_served_device(hospital, None, "MVI-MR15").device_id
    start = NOW - timedelta(days=14)
    with system_session() as db:
        load_readings(
            db, failing, DeviceProfile("MRI", 4242, NOW + timedelta(days=5), 35.0), start, NOW, 3600
        )
        load_readings(db, healthy, DeviceProfile("MRI", 4343), start, NOW, 3600)
    return {"hospital": hospital, "failing": failing, "healthy": healthy}


def _prediction_tickets(device_id: uuid.UUID) -> list:
    with system_session() as db:
        return db.execute(
            text(
                "SELECT id, priority, description FROM ticket "
                "WHERE equipment_id = :d AND source = 'prediction'"
            ),
            {"d": device_id},
        ).all()


def test_a_degrading_device_raises_one_preemptive_ticket_a_healthy_one_none(fleet):
    from services.telemetry.sweep import sweep
    from workers.telemetry_predict import predict_sweep

    sweep(NOW)
    predict_sweep()  # the scheduled task scores again: the same ticket stays the only one

    tickets = _prediction_tickets(fleet["failing"])
    assert len(tickets) == 1
    ticket_id, priority, description = tickets[0]
    assert priority in ("P2", "P3")
    assert "chance of failing within 30 days" in description
    assert "Suggested visit" in description
    assert any(word in description for word in ("Helium", "Cold-head", "temperature"))
    assert _prediction_tickets(fleet["healthy"]) == []
    with system_session() as db:
        event = db.execute(
            text(
                "SELECT payload FROM outbox_event WHERE name = 'PreemptiveTicket' "
                "AND entity_id = :t"
            ),
            {"t": str(ticket_id)},
        ).scalar_one()
        scores = dict(
            db.execute(
                text(
                    "SELECT device_id, max(probability) FROM failure_prediction "
                    "WHERE device_id IN (:a, :b) GROUP BY device_id"
                ),
                {"a": fleet["failing"], "b": fleet["healthy"]},
            ).all()
        )
    assert event["deviceId"] == str(fleet["failing"])
    assert event["topFactors"] and event["suggestedWindow"]["from"]
    threshold = load_model().threshold
    assert scores[fleet["failing"]] >= threshold > scores[fleet["healthy"]]


def test_predict_answers_the_owner_with_probability_factors_and_version(client, auth, fleet):
    owner = auth(fleet["hospital"].email, PASSWORD)
    failing = client.post(
        "/api/v1/predict", json={"deviceId": str(fleet["failing"])}, headers=owner
    )
    healthy = client.post(
        "/api/v1/predict", json={"deviceId": str(fleet["healthy"])}, headers=owner
    )

    assert failing.status_code == 200, failing.text
    body = failing.json()
    assert set(body) == {"failureProbability30d", "topFactors", "modelVersion"}
    assert body["modelVersion"] == load_model().version
    assert body["failureProbability30d"] > healthy.json()["failureProbability30d"]
    assert {"metric", "label", "statistic", "value", "contribution"} <= set(body["topFactors"][0])


def test_predict_refuses_unknown_devices_strangers_bad_input_and_other_roles(client, auth, fleet):
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    owner = auth(fleet["hospital"].email, PASSWORD)
    device = {"deviceId": str(fleet["failing"])}

    unknown = client.post("/api/v1/predict", json={"deviceId": str(uuid.uuid4())}, headers=owner)
    not_theirs = client.post("/api/v1/predict", json=device, headers=auth(stranger.email, PASSWORD))
    technician = client.post("/api/v1/predict", json=device, headers=auth("technician"))
    missing = client.post("/api/v1/predict", json={}, headers=owner)
    garbled = client.post("/api/v1/predict", json={"deviceId": "MRI-1"}, headers=owner)

    with tenant_session(stranger.actor) as db:
        scores_seen = db.execute(
            text("SELECT count(*) FROM failure_prediction WHERE device_id = :d"),
            {"d": fleet["failing"]},
        ).scalar_one()

    assert unknown.status_code == 404
    assert not_theirs.status_code == 404 and scores_seen == 0
    assert technician.status_code == 403
    assert missing.status_code == 400 and "deviceId" in missing.text
    assert garbled.status_code == 400 and "deviceId" in garbled.text


def test_the_fleet_view_puts_the_device_at_risk_first_with_its_ticket_and_charts(fleet):
    from services.telemetry.fleet import device_telemetry, fleet_health

    owner = fleet["hospital"].actor
    with tenant_session(owner) as db:
        view = fleet_health(db, owner)
        charts = device_telemetry(db, owner, fleet["failing"])

    ours = [
        d
        for d in view["devices"]
        if d["deviceId"] in {str(fleet["failing"]), str(fleet["healthy"])}
    ]
    assert [d["deviceId"] for d in ours] == [str(fleet["failing"]), str(fleet["healthy"])]
    assert ours[0]["risk"] == "high" and ours[0]["ticketNumber"]
    assert ours[1]["risk"] in ("low", "watch") and ours[1]["ticketId"] is None
    helium = next(m for m in charts["metrics"] if m["name"] == "helium_level_pct")
    assert helium["points"] and helium["bands"][0]["limit"] == 60
    assert charts["scores"] and charts["threshold"] == load_model().threshold
