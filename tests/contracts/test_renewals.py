"""Renewal alerts reach both sides once at 90, 60 and 30 days; a renewal becomes an RFQ
to the same OEM; preventive visits become P4 jobs once per slot."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from services.actor import Role
from services.common.clock import today_ist
from services.contracts.renewals import send_renewal_alerts
from services.db import system_session
from services.tickets.preventive import plan_preventive
from tests.contracts.helpers import covered_devices
from tests.contracts.test_figures import _headers
from tests.notifications.conftest import relay


def _fired(contract_id, today) -> list[int]:
    return [
        a["thresholdDays"]
        for a in send_renewal_alerts(today)
        if a["contractId"] == str(contract_id)
    ]


def _renewal_notices(tenant_id, contract_id) -> list[str]:
    with system_session() as db:
        return list(
            db.execute(
                text(
                    "SELECT title FROM notification WHERE tenant_id = :t AND link LIKE :l "
                    "ORDER BY created_at"
                ),
                {"t": tenant_id, "l": f"%{contract_id}"},
            ).scalars()
        )


def test_renewal_alerts_fire_once_at_each_threshold_for_both_sides():
    ends_on = today_ist() + timedelta(days=200)
    covered = covered_devices(1, kind="amc", ends_on=ends_on, oem_role=Role.OEM_SALES)
    assert _fired(covered.contract_id, ends_on - timedelta(days=91)) == []
    assert _fired(covered.contract_id, ends_on - timedelta(days=89)) == [90]
    assert _fired(covered.contract_id, ends_on - timedelta(days=89)) == []  # once
    assert _fired(covered.contract_id, ends_on - timedelta(days=75)) == []
    assert _fired(covered.contract_id, ends_on - timedelta(days=59)) == [60]
    assert _fired(covered.contract_id, ends_on - timedelta(days=30)) == [30]
    assert _fired(covered.contract_id, ends_on - timedelta(days=10)) == []
    relay()
    label_titles = ["ends in 89 days", "ends in 59 days", "ends in 30 days"]
    for tenant in (covered.hospital.tenant.id, covered.oem.tenant.id):
        titles = _renewal_notices(tenant, covered.contract_id)
        assert sorted(t.split(") ")[1] for t in titles) == sorted(label_titles)


def test_a_contract_first_seen_at_45_days_gets_one_alert_not_two():
    ends_on = today_ist() + timedelta(days=45)
    covered = covered_devices(1, kind="cmc", ends_on=ends_on)
    assert _fired(covered.contract_id, today_ist()) == [60]
    assert _fired(covered.contract_id, today_ist()) == []


def test_a_renewal_turns_into_an_rfq_to_the_same_oem_once(client):
    covered = covered_devices(2, kind="cmc", ends_on=today_ist() + timedelta(days=40))
    path = f"/api/v1/contracts/{covered.contract_id}/renewal"
    buyer = _headers(client, covered.hospital.email)
    first = client.post(path, headers=buyer)
    assert first.status_code == 201, first.text
    rfq = client.get(f"/api/v1/rfqs/{first.json()['rfqId']}", headers=buyer).json()
    assert rfq["title"].startswith("Renewal of CT-")
    assert sum(item["qty"] for item in rfq["items"]) == 2
    again = client.post(path, headers=buyer)
    assert again.status_code == 409
    detail = client.get(f"/api/v1/contracts/{covered.contract_id}", headers=buyer).json()
    assert detail["renewalRfqId"] == first.json()["rfqId"]


def test_preventive_visits_open_as_p4_jobs_once_per_slot():
    # Two visits a year from 170 days ago: the first falls due half a year (182 days) in.
    start = today_ist() - timedelta(days=170)
    covered = covered_devices(
        2,
        starts_on=start,
        ends_on=start + timedelta(days=365),
        terms={"preventiveVisitsPerYear": 2},
    )
    # only this contract's slots: the demo's contracts stay as the browser journeys expect
    mine = {covered.contract_id}
    planned = plan_preventive(contract_ids=mine)
    assert sorted(p["deviceId"] for p in planned) == sorted(str(d) for d in covered.devices)
    assert {p["dueOn"] for p in planned} == {(start + timedelta(days=182)).isoformat()}
    assert plan_preventive(contract_ids=mine) == []
    with system_session() as db:
        jobs = db.execute(
            text("SELECT priority, status, source FROM ticket WHERE contract_id = :c"),
            {"c": covered.contract_id},
        ).all()
    assert sorted(jobs) == [("P4", "open", "preventive")] * 2
