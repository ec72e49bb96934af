"""The phone's queue reaching the server: each event answered on its own, a replay changes
nothing, bad events are refused with a reason while the rest apply, and an offline change
that no longer fits (the job was reassigned) waits for the dispatcher."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.db import system_session
from tests.field.crew import batch, event, make_crew

SYNC = "/api/v1/sync/events:batch"


@pytest.fixture(scope="module")
def crew():
    return make_crew()


def _history(ticket_id) -> list[tuple[str, str | None, str]]:
    with system_session() as db:
        rows = db.execute(
            text(
                "SELECT kind, to_status, note FROM ticket_event WHERE ticket_id = :t "
                "ORDER BY created_at"
            ),
            {"t": ticket_id},
        )
        return [tuple(r) for r in rows]


def _status(ticket_id) -> str:
    with system_session() as db:
        return db.execute(
            text("SELECT status FROM ticket WHERE id = :t"), {"t": ticket_id}
        ).scalar()


def test_a_batch_replayed_three_times_applies_once(client, auth, crew):
    ticket = crew.new_job()
    body = batch(
        event("ticket.status", ticket, {"status": "en_route"}, 0),
        event("ticket.note", ticket, {"text": "Customer says it stopped after a power cut"}, 1),
        event("checklist.step", ticket, {"stepId": "tube-warmup", "value": "pass"}, 2),
    )
    answers = [
        client.post(SYNC, json=body, headers=auth(crew.technician_email, "correct-horse-battery"))
        for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    first, *replays = [a.json()["results"] for a in answers]
    assert [r["status"] for r in first] == ["applied"] * 3
    for replay in replays:
        assert [r["status"] for r in replay] == ["duplicate"] * 3
        assert [r["serverId"] for r in replay] == [r["serverId"] for r in first]
    history = _history(ticket)
    assert [h for h in history if h[1] == "en_route"].__len__() == 1
    assert sum("power cut" in h[2] for h in history) == 1
    assert _status(ticket) == "en_route"


def test_a_batch_of_three_with_one_bad_event_applies_two_and_rejects_one(client, auth, crew):
    ticket = crew.new_job()
    body = batch(
        event("ticket.status", ticket, {"status": "en_route"}, 0),
        event("checklist.step", ticket, {"stepId": "water-hu", "value": "hot"}, 1),
        event("ticket.note", ticket, {"text": "Gantry cover removed"}, 2),
    )

    results = client.post(
        SYNC, json=body, headers=auth(crew.technician_email, "correct-horse-battery")
    ).json()["results"]

    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert [r["idempotencyKey"] for r in results] == [e["idempotencyKey"] for e in body["events"]]
    assert results[1]["error"] == "payload.value: must be a number"
    assert results[1]["serverId"] is None
    assert _status(ticket) == "en_route"


def test_events_apply_in_the_phones_time_order_whatever_order_they_arrive_in(client, auth, crew):
    ticket = crew.new_job()
    body = batch(
        event("ticket.status", ticket, {"status": "in_progress"}, 30),
        event("ticket.status", ticket, {"status": "en_route"}, 0),
    )

    results = client.post(
        SYNC, json=body, headers=auth(crew.technician_email, "correct-horse-battery")
    ).json()["results"]

    assert [r["status"] for r in results] == ["applied", "applied"]
    moves = [h[1] for h in _history(ticket) if h[0] == "status"]
    assert moves[-3:] == ["en_route", "on_site", "in_progress"]


def test_an_offline_change_after_reassignment_is_a_conflict_the_dispatcher_resolves(
    client, auth, crew
):
    ticket = crew.new_job()
    crew.reassign(ticket)  # meanwhile, while the phone had no signal
    body = batch(event("ticket.status", ticket, {"status": "en_route"}, 0))

    result = client.post(
        SYNC, json=body, headers=auth(crew.technician_email, "correct-horse-battery")
    ).json()["results"][0]

    assert result["status"] == "conflict"
    assert "reassigned" in result["error"]
    assert _status(ticket) == "assigned"
    dispatcher = auth(crew.partner.email, "correct-horse-battery")
    listed = client.get("/api/v1/sync/conflicts", headers=dispatcher).json()["conflicts"]
    mine = next(c for c in listed if c["ticketId"] == str(ticket))
    assert mine["type"] == "ticket.status" and mine["payload"]["status"] == "en_route"
    assert mine["technician"] == "Ravi" and "reassigned" in mine["reason"]
    resolved = client.post(
        f"/api/v1/sync/conflicts/{mine['id']}/resolve",
        json={"action": "dismiss", "note": "Kiran has it"},
        headers=dispatcher,
    )
    assert resolved.status_code == 200, resolved.text
    open_now = client.get("/api/v1/sync/conflicts", headers=dispatcher).json()["conflicts"]
    assert all(c["id"] != mine["id"] for c in open_now)
    again = client.post(
        f"/api/v1/sync/conflicts/{mine['id']}/resolve", json={"action": "apply"}, headers=dispatcher
    )
    assert again.status_code == 409


def test_a_technician_cannot_read_conflicts_and_a_dispatcher_cannot_sync(client, auth, crew):
    technician = auth(crew.technician_email, "correct-horse-battery")
    dispatcher = auth(crew.partner.email, "correct-horse-battery")

    assert client.get("/api/v1/sync/conflicts", headers=technician).status_code == 403
    assert client.post(SYNC, json=batch(), headers=dispatcher).status_code == 403


def test_a_batch_that_is_not_a_batch_is_refused_whole(client, auth, crew):
    technician = auth(crew.technician_email, "correct-horse-battery")

    no_events = client.post(SYNC, json={"clientId": "x"}, headers=technician)
    too_many = client.post(
        SYNC,
        json={"clientId": "9b2e4c1a-0000-4000-8000-000000000000", "events": [{}] * 501},
        headers=technician,
    )

    assert no_events.status_code == 400 and no_events.json()["error"]["field"] == "events"
    assert too_many.status_code == 400 and "500" in too_many.json()["error"]["message"]


def test_each_bad_event_says_what_is_wrong(client, auth, crew):
    ticket = crew.new_job()
    body = batch(
        event("ticket.teleport", ticket, {}),
        {**event("ticket.note", ticket, {"text": "x"}), "clientTime": "yesterday"},
        event("ticket.status", ticket, {"status": "waiting_parts"}),
        event("ticket.note", "00000000-0000-4000-8000-000000000000", {"text": "hello"}),
    )

    results = client.post(
        SYNC, json=body, headers=auth(crew.technician_email, "correct-horse-battery")
    ).json()["results"]

    assert [r["status"] for r in results] == ["rejected"] * 4
    assert results[0]["error"].startswith("type: must be one of")
    assert results[1]["error"].startswith("clientTime:")
    assert results[2]["error"].startswith("payload.reason:")
    assert "No ticket" in results[3]["error"]


def test_a_dispatcher_may_apply_a_conflicting_change_after_all(client, auth, crew):
    ticket = crew.new_job()
    crew.reassign(ticket)
    technician = auth(crew.technician_email, "correct-horse-battery")
    sent = client.post(
        SYNC, json=batch(event("ticket.status", ticket, {"status": "en_route"})), headers=technician
    ).json()["results"][0]
    assert sent["status"] == "conflict"
    dispatcher = auth(crew.partner.email, "correct-horse-battery")
    conflict = next(
        c
        for c in client.get("/api/v1/sync/conflicts", headers=dispatcher).json()["conflicts"]
        if c["ticketId"] == str(ticket)
    )

    applied = client.post(
        f"/api/v1/sync/conflicts/{conflict['id']}/resolve",
        json={"action": "apply", "note": "Ravi was already on his way"},
        headers=dispatcher,
    )

    assert applied.status_code == 200 and applied.json()["resolution"] == "applied"
    assert _status(ticket) == "en_route"
    done = client.get("/api/v1/sync/conflicts", params={"status": "resolved"}, headers=dispatcher)
    mine = next(c for c in done.json()["conflicts"] if c["id"] == conflict["id"])
    assert mine["resolution"] == "applied" and mine["note"] == "Ravi was already on his way"


def test_a_rejected_event_sent_again_is_a_duplicate_and_still_changes_nothing(client, auth, crew):
    ticket = crew.new_job()
    bad = batch(event("checklist.step", ticket, {"stepId": "no-such-step", "value": "pass"}))
    technician = auth(crew.technician_email, "correct-horse-battery")

    first = client.post(SYNC, json=bad, headers=technician).json()["results"][0]
    again = client.post(SYNC, json=bad, headers=technician).json()["results"][0]

    assert first["status"] == "rejected" and "no-such-step" in first["error"]
    assert again["status"] == "duplicate"
