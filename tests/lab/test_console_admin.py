"""A lab admin sets the lab up from its screens' services: an unknown analyzer becomes a
channel whose waiting messages turn into results in one step, a laboratory's working
hours are what its analyzers are watched by unless one keeps its own, and consents are
recorded and revoked."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from services.common.clock import IST
from services.db import system_session, tenant_session
from services.errors import Conflict, Invalid
from services.geo.models import Laboratory
from services.lab import consent
from services.lab.channels import ChannelIn, adopt_sender, unknown_senders
from services.lab.health import check_analyzers
from services.lab.messages import search_messages
from services.lab.models import LabChannel
from services.lab.watch import laboratory_hours, set_laboratory_hours, set_watch, watches
from tests.factories import PASSWORD
from tests.lab import console_lab, fixtures
from tests.lab.messages import msa, oru, send

SUNDAY_21 = datetime(2026, 12, 6, 21, 0, tzinfo=IST)  # a Sunday evening in IST


@pytest.fixture(scope="module")
def lab():
    return fixtures.make_lab()


def test_an_unknown_analyzer_is_adopted_and_its_waiting_messages_become_results(lab):
    stranger = f"UNK-{uuid.uuid4().hex[:6]}"
    acks = send(
        oru("W-1", sender=stranger, facility="Lab 2"), oru("W-2", sender=stranger, facility="Lab 2")
    )
    assert [msa(a)[0] for a in acks] == ["AR", "AR"]

    [seen] = [s for s in unknown_senders(lab.org.actor) if s["sendingApplication"] == stranger]
    assert (seen["sendingFacility"], seen["waiting"]) == ("Lab 2", 2)
    assert seen["sample"] == {"controlId": "W-2", "messageType": "ORU^R01"}

    made = adopt_sender(
        lab.org.actor,
        ChannelIn(name="Haematology 2", sendingApplication=stranger, sendingFacility="Lab 2"),
    )
    assert (made["claimedMessages"], made["queued"]) == (2, 2)
    fixtures.process_all()

    with tenant_session(lab.org.actor) as db:
        found = search_messages(db, channel_id=uuid.UUID(made["id"]))["messages"]
    assert sorted(m["controlId"] for m in found) == ["W-1", "W-2"]
    assert {(m["state"], m["resultCount"], m["ackSent"]) for m in found} == {
        ("processed", 10, "AR")
    }
    assert all(s["sendingApplication"] != stranger for s in unknown_senders(lab.org.actor))
    with pytest.raises(Conflict):
        adopt_sender(
            lab.org.actor,
            ChannelIn(name="Again", sendingApplication=stranger, sendingFacility="Lab 2"),
        )


def _watched_lab():
    """The console test lab's analyzer, placed in a laboratory of its organisation."""
    analyzer = console_lab.make_lab(silent_after=30)
    with tenant_session(analyzer.org.actor) as db:
        laboratory = Laboratory(
            tenant_id=analyzer.org.tenant.id, name="Night Lab", pincode="500001"
        )
        db.add(laboratory)
        db.flush()
        db.get(LabChannel, analyzer.channel_id).laboratory_id = laboratory.id
    lab = fixtures.Lab(analyzer.org, laboratory.id)
    return analyzer, lab


def _alarms(channel_id) -> int:
    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM lab_alarm WHERE channel_id = :c"), {"c": channel_id}
        ).scalar_one()


def test_a_laboratory_working_sundays_has_its_analyzers_watched_on_sundays():
    analyzer, lab = _watched_lab()
    actor = analyzer.org.actor
    console_lab.add_message(analyzer, at=SUNDAY_21 - timedelta(hours=2))
    with tenant_session(actor) as db:
        assert watches(db, analyzer.channel_id)[0]["summary"].endswith("08:00–20:00 IST, Mon–Sat")
        with pytest.raises(Invalid) as bad:
            set_laboratory_hours(
                db, actor, lab.laboratory_id, {"opens": "22:00", "closes": "07:00"}
            )
        assert bad.value.field == "closes"
        set_laboratory_hours(
            db,
            actor,
            lab.laboratory_id,
            {"opens": "07:00", "closes": "23:00", "workdays": list(range(7))},
        )
        [hours] = laboratory_hours(db)
        assert hours["isSet"] and hours["summary"] == "07:00–23:00 IST, every day"
        watch = watches(db, analyzer.channel_id)[0]
        assert (watch["ownHours"], watch["opens"], watch["laboratory"]) == (
            False,
            "07:00",
            "Night Lab",
        )

    assert len(check_analyzers(SUNDAY_21, analyzer.org.tenant.id).opened) == 1


def test_an_analyzer_with_hours_of_its_own_is_not_watched_by_its_laboratorys():
    analyzer, lab = _watched_lab()
    actor = analyzer.org.actor
    console_lab.add_message(analyzer, at=SUNDAY_21 - timedelta(hours=2))
    with tenant_session(actor) as db:
        set_laboratory_hours(db, actor, lab.laboratory_id, {"roundTheClock": True})
        own = set_watch(
            db,
            actor,
            analyzer.channel_id,
            {
                "opens": "09:00",
                "closes": "17:00",
                "workdays": [0, 1, 2, 3, 4],
                "silentAfterMinutes": 45,
                "faultsPerHour": 8,
            },
        )
    assert (own["ownHours"], own["silentAfterMinutes"], own["faultsPerHour"]) == (True, 45, 8)
    assert check_analyzers(SUNDAY_21, analyzer.org.tenant.id).opened == []
    assert _alarms(analyzer.channel_id) == 0

    with tenant_session(actor) as db:  # back to the laboratory's hours: round the clock
        back = set_watch(db, actor, analyzer.channel_id, {"faultsPerHour": 8})
    assert back["ownHours"] is False and back["summary"] == "round the clock"
    assert len(check_analyzers(SUNDAY_21, analyzer.org.tenant.id).opened) == 1


def test_hours_and_watches_over_the_api(client, auth):
    analyzer, lab = _watched_lab()
    headers = auth(analyzer.org.email, PASSWORD)
    url = f"/api/v1/lab/laboratories/{lab.laboratory_id}/hours"
    put = client.put(url, json={"opens": "06:30", "closes": "22:00"}, headers=headers)
    assert put.status_code == 200, put.text
    listed = client.get("/api/v1/lab/laboratories/hours", headers=headers).json()["laboratories"]
    assert [(h["name"], h["opens"]) for h in listed] == [("Night Lab", "06:30")]
    shown = client.get("/api/v1/lab/watches", headers=headers).json()["watches"]
    assert shown[0]["closes"] == "22:00" and shown[0]["ownHours"] is False
    other = client.put(f"/api/v1/lab/laboratories/{uuid.uuid4()}/hours", json={}, headers=headers)
    assert other.status_code == 404


def test_a_consent_is_recorded_listed_and_revoked_with_an_audit_trail(lab):
    actor = lab.org.actor
    patient = f"MRN-{uuid.uuid4().hex[:6]}"
    with tenant_session(actor) as db:
        given = consent.record_consent(db, actor, patient, "treatment", "Apollo Hospitals", "v2")
        consent.require_consent(db, patient, "treatment", "apollo hospitals")
        consent.revoke_consent(db, actor, uuid.UUID(given["id"]), "patient asked")
        [shown] = consent.list_consents(db, patient)
        actions = (
            db.execute(
                text("SELECT action FROM audit_log WHERE entity_id = :id ORDER BY created_at"),
                {"id": given["id"]},
            )
            .scalars()
            .all()
        )
    assert shown["revokedAt"] and shown["version"] == "v2"
    assert actions == ["lab.consent.record", "lab.consent.revoke"]


def test_an_unknown_sender_is_adopted_over_the_api(client, auth, lab):
    headers = auth(lab.org.email, PASSWORD)
    stranger = f"API-{uuid.uuid4().hex[:6]}"
    send(oru("A-1", sender=stranger))
    waiting = client.get("/api/v1/lab/channels/unknown-senders", headers=headers).json()
    assert [s["waiting"] for s in waiting["senders"] if s["sendingApplication"] == stranger] == [1]
    made = client.post(
        "/api/v1/lab/unknown-senders/channel",
        json={"name": "Biochemistry", "sendingApplication": stranger},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert (made.json()["claimedMessages"], made.json()["queued"]) == (1, 1)
