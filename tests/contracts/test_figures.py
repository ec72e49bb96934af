"""A contract's month: uptime per device against the promise from known outages, SLA
compliance, first-time fix and penalties under the cap, the same for buyer and OEM."""

from __future__ import annotations

from services.actor import Role, TenantKind
from tests.contracts.helpers import covered_devices, ist, past_ticket
from tests.factories import PASSWORD, make_org

_TOKENS: dict[str, str] = {}


def _headers(client, email: str) -> dict:
    """Bearer headers of a test account (one sign-in per account: hashing takes a while)."""
    if email not in _TOKENS:
        token = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        _TOKENS[email] = token.json()["access_token"]
    return {"Authorization": f"Bearer {_TOKENS[email]}"}


def test_october_uptime_and_sla_from_known_outages(client):
    covered = covered_devices(2)
    mri, spare = covered.devices
    # Down across midnight into October: 2 hours of it fall in October.
    past_ticket(covered, mri, "P1", ist("2026-09-30", 22), ist("2026-10-01", 2))
    # 12 hours down, resolved on time.
    past_ticket(covered, mri, "P1", ist("2026-10-10", 10), ist("2026-10-10", 22))
    # Two overlapping outages: 00:00-12:00 and 06:00-18:00 make 18 hours, not 24.
    # The first was 3 hours late (₹3,000 penalty) and reopened once.
    past_ticket(
        covered,
        mri,
        "P2",
        ist("2026-10-20", 0),
        ist("2026-10-20", 12),
        due=ist("2026-10-20", 9),
        penalty=3_000_00,
        reopened=1,
    )
    past_ticket(covered, mri, "P1", ist("2026-10-20", 6), ist("2026-10-20", 18))
    # A P3 and a preventive visit do not take the device down.
    past_ticket(covered, mri, "P3", ist("2026-10-05", 0), ist("2026-10-06", 0))
    past_ticket(
        covered, mri, "P4", ist("2026-10-07", 9), ist("2026-10-07", 11), source="preventive"
    )

    buyer = client.get(
        f"/api/v1/contracts/{covered.contract_id}",
        params={"month": "2026-10"},
        headers=_headers(client, covered.hospital.email),
    )
    assert buyer.status_code == 200, buyer.text
    body = buyer.json()
    devices = {d["deviceId"]: d for d in body["devices"]}
    # October has 744 hours; 2 + 12 + 18 = 32 of them down: 712 / 744 = 95.70 %.
    assert devices[str(mri)]["downtimeHours"] == 32
    assert devices[str(mri)]["uptimePercent"] == 95.70
    assert devices[str(mri)]["meetsPromise"] is False  # the contract promises 96 %
    assert devices[str(spare)]["uptimePercent"] == 100.0
    sla = body["sla"]
    # Six resolved in October; the late P2 is the one outside the SLA (5 of 6 = 83.33 %).
    assert (sla["ticketsResolved"], sla["ticketsWithinSla"]) == (6, 5)
    assert sla["slaCompliancePercent"] == 83.33
    assert sla["firstTimeFixPercent"] == 83.33
    assert (sla["penaltyEarnedPaise"], sla["penaltyDuePaise"]) == (3_000_00, 2_500_00)  # capped

    oem = client.get(
        f"/api/v1/contracts/{covered.contract_id}",
        params={"month": "2026-10"},
        headers=_headers(client, covered.oem.email),
    )
    assert oem.status_code == 200
    assert oem.json()["devices"] == body["devices"] and oem.json()["sla"] == sla
    listed = client.get("/api/v1/contracts", headers=_headers(client, covered.oem.email)).json()
    assert [c["contractId"] for c in listed["contracts"]] == [str(covered.contract_id)]
    assert listed["contracts"][0]["deviceCount"] == 2

    pdf = client.get(
        f"/api/v1/contracts/{covered.contract_id}/statement.pdf",
        params={"month": "2026-10"},
        headers=_headers(client, covered.hospital.email),
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.get(
        f"/api/v1/contracts/{covered.contract_id}",
        params={"month": "2026-13"},
        headers=_headers(client, covered.hospital.email),
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "month"

    # Roles and organisations outside the contract are refused.
    dispatcher = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    path = f"/api/v1/contracts/{covered.contract_id}"
    as_dispatcher = _headers(client, dispatcher.email)
    assert client.get("/api/v1/contracts", headers=as_dispatcher).status_code == 403
    assert client.get(path, headers=as_dispatcher).status_code == 403
    pdf = client.get(f"{path}/statement.pdf", params={"month": "2026-10"}, headers=as_dispatcher)
    assert pdf.status_code == 403
    assert client.post(f"{path}/renewal", headers=as_dispatcher).status_code == 403
    # The OEM sees the contract but a renewal is the buyer's to ask for.
    assert (
        client.post(f"{path}/renewal", headers=_headers(client, covered.oem.email)).status_code
        == 403
    )
    # Another hospital does not see it at all.
    assert client.get(path, headers=_headers(client, stranger.email)).status_code == 404
