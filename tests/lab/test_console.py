"""The lab console: auto-verification by rule, the queue a person releases, critical
values acknowledged by name, and each lab seeing only its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.columns import utcnow
from services.db import tenant_session
from services.errors import Conflict, Forbidden, Invalid
from services.lab import critical, verification
from services.lab.console import console
from tests.factories import PASSWORD, make_org
from tests.lab.console_lab import add_message, add_results, make_lab


@pytest.fixture(scope="module")
def lab():
    return make_lab()


def _view(lab):
    with tenant_session(lab.org.actor) as db:
        return console(db)


def _by_id(rows, ids):
    return {r["id"]: r for r in rows if r["id"] in {str(i) for i in ids}}


def test_results_within_range_are_auto_verified_and_the_rest_wait_with_reasons(lab):
    before = _view(lab)["counts"]
    _, ids = add_results(lab, "MRN-A1", [("HGB", 14.2, ""), ("PLT", 120, "L")])
    view = _view(lab)
    shown = _by_id(view["results"], ids)
    assert shown[str(ids[0])]["review"] == "auto"
    assert shown[str(ids[1])]["review"] == "pending"
    held = _by_id(view["queue"], ids)
    assert list(held) == [str(ids[1])]
    assert "outside reference range" in held[str(ids[1])]["reasons"]
    assert "analyzer flag L" in held[str(ids[1])]["reasons"]
    assert view["counts"]["auto"] == before["auto"] + 1
    assert view["counts"]["pending"] == before["pending"] + 1


def test_a_large_change_from_the_patients_previous_result_is_held_for_a_person(lab):
    add_results(lab, "MRN-D1", [("HGB", 16.5, "")], at=utcnow() - timedelta(days=2))
    _, ids = add_results(lab, "MRN-D1", [("HGB", 13.1, "")])  # in range, but a 21% drop
    _, later = add_results(lab, "MRN-D1", [("HGB", 9.0, "L")])
    view = _view(lab)
    assert _by_id(view["results"], ids)[str(ids[0])]["review"] == "auto"
    held = _by_id(view["queue"], later)[str(later[0])]
    assert "delta check: previous 13.1" in held["reasons"]


def test_releasing_a_held_result_takes_it_off_the_queue_and_is_audited(lab):
    _, ids = add_results(lab, "MRN-R1", [("PLT", 140, "L")])
    _view(lab)
    with tenant_session(lab.org.actor) as db:
        assert verification.release(db, lab.org.actor, ids) == 1
        assert verification.release(db, lab.org.actor, ids) == 0  # once only
        audited = db.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'lab.result.release' "
                "AND entity_id = :id"
            ),
            {"id": str(ids[0])},
        ).scalar()
    assert audited == 1
    view = _view(lab)
    assert not _by_id(view["queue"], ids)
    assert _by_id(view["results"], ids)[str(ids[0])]["review"] == "released"


def test_a_critical_value_waits_until_a_named_person_says_whom_they_informed(lab):
    _, ids = add_results(lab, "MRN-C1", [("HGB", 5.1, "LL")])
    view = _view(lab)
    found = [c for c in view["criticals"] if c["resultId"] == str(ids[0])]
    assert len(found) == 1 and found[0]["limit"] == "< 7" and found[0]["patient"] == "MRN-C1"
    key = found[0]["id"]
    with tenant_session(lab.org.actor) as db, pytest.raises(Invalid, match="informed"):
        critical.acknowledge(db, lab.org.actor, key, "  ")
    with tenant_session(lab.org.actor) as db:
        critical.acknowledge(db, lab.org.actor, key, "Dr Mehta, ward 4", "phoned at once")
    with tenant_session(lab.org.actor) as db, pytest.raises(Conflict, match=lab.org.email):
        critical.acknowledge(db, lab.org.actor, key, "someone else")
    with tenant_session(lab.org.actor) as db:
        row = db.execute(
            text("SELECT informed, acknowledged_label FROM lab_critical WHERE id = :id"),
            {"id": key},
        ).one()
        audit = db.execute(
            text(
                "SELECT summary FROM audit_log WHERE action = 'lab.critical.acknowledge' "
                "AND entity_id = :id"
            ),
            {"id": key},
        ).scalar()
    assert (row.informed, row.acknowledged_label) == ("Dr Mehta, ward 4", lab.org.email)
    assert "MRN-C1" not in audit
    assert key not in {c["id"] for c in _view(lab)["criticals"]}
    with tenant_session(lab.org.actor) as db:
        told = db.execute(
            text("SELECT count(*) FROM notification WHERE user_id = :u AND link = '/lab'"),
            {"u": lab.org.actor.user_id},
        ).scalar()
    assert told >= 1  # the lab's staff were told on their channels too


def test_only_lab_staff_release_or_acknowledge(lab):
    buyer = make_org(TenantKind.LAB_CHAIN, Role.BUYER_USER)
    with tenant_session(buyer.actor) as db, pytest.raises(Forbidden):
        verification.release(db, buyer.actor, [lab.channel_id])


def test_another_lab_sees_none_of_these_results_or_analyzers(lab):
    add_results(lab, "MRN-X1", [("HGB", 4.0, "LL")])
    _view(lab)
    other = make_lab()
    view = _view(other)
    assert view["results"] == [] and view["criticals"] == [] and view["queue"] == []
    assert [a["id"] for a in view["analyzers"]] == [str(other.channel_id)]


def test_the_console_shows_throughput_and_the_error_queue(lab):
    add_message(lab, state="error")
    view = _view(lab)
    mine = [a for a in view["analyzers"] if a["id"] == str(lab.channel_id)][0]
    assert mine["status"] == "ok" and mine["errors"] >= 1 and mine["results"] >= 1
    assert view["errors"][0]["error"] == "unknown test code"


def test_the_api_releases_and_acknowledges_and_names_bad_input(lab, client, auth):
    headers = auth(lab.org.email, PASSWORD)
    _, ids = add_results(lab, "MRN-P1", [("PLT", 15, "LL")])
    body = client.get("/api/v1/lab/console", headers=headers).json()
    key = [c["id"] for c in body["criticals"] if c["resultId"] == str(ids[0])][0]
    bad = client.post(f"/api/v1/lab/criticals/{key}/acknowledge", json={}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "informed"
    ok = client.post(
        f"/api/v1/lab/criticals/{key}/acknowledge", json={"informed": "Dr Rao"}, headers=headers
    )
    assert ok.status_code == 200
    bad = client.post("/api/v1/lab/results/release", json={"resultIds": ["x"]}, headers=headers)
    assert bad.status_code == 400
    ok = client.post(
        "/api/v1/lab/results/release", json={"resultIds": [str(ids[0])]}, headers=headers
    )
    assert ok.json() == {"released": 1}


def test_lab_staff_home_lists_critical_values_and_results_to_verify(lab):
    from services.overview.waiting import waiting_for

    def home():
        with tenant_session(lab.org.actor) as db:
            return {s.key: s for s in waiting_for(db, lab.org.actor, limit=50)}

    before = home()
    add_results(lab, "MRN-H1", [("HGB", 22.5, "HH")])
    _view(lab)
    after = home()
    [item] = [i for i in after["lab-criticals"].items if "MRN-H1" in i.detail]
    assert item.title == "Hemoglobin 22.5 g/dL" and item.link == "/lab"
    assert after["lab-criticals"].total == before["lab-criticals"].total + 1
    assert after["lab-verify"].total == before["lab-verify"].total + 1
