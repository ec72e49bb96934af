"""What the device page reads: refused payloads a page at a time with counts by kind of
reason and a short, safe excerpt; and when each credential was last admitted by the broker."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from services.telemetry import broker
from services.telemetry.ingest import Device, Refusal, connect, store
from services.telemetry.quarantine import excerpt
from tests.factories import PASSWORD, make_org, make_served_device

REFUSED = [
    ("not json at all", "payload: not JSON (Expecting value)"),
    ('{"ts": "2099-01-01T00:00:00Z"}', "ts: 2099-01-01T00:00:00Z is in the future"),
    ('{"metrics": {"flux": 1}}', "metrics.flux: is not a metric of MRI"),
]


def _device(hospital) -> Device:
    device_id = make_served_device(hospital, None, "MVI-MR15").device_id
    with system_session() as db:
        oem = db.execute(
            text("SELECT manufacturer_tenant_id FROM equipment WHERE id = :d"), {"d": device_id}
        ).scalar_one()
    return Device(device_id, hospital.tenant.id, oem, "MRI")


def test_refused_payloads_page_newest_first_with_counts_by_reason(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device = _device(hospital)
    topic = f"tenants/{device.tenant_id}/devices/{device.id}/telemetry"
    with connect() as con:
        for i in range(24):  # one transaction each: each its own time
            payload, reason = REFUSED[i % 3]
            store(con, [], [Refusal(device, topic, f"{payload} #{i}", reason)])
    path = f"/api/v1/devices/{device.id}/telemetry/quarantine"
    headers = auth(hospital.email, PASSWORD)

    first = client.get(path, params={"perPage": 10}, headers=headers).json()
    last = client.get(path, params={"perPage": 10, "page": 3}, headers=headers).json()

    assert first["total"] == 24
    assert first["items"][0]["excerpt"].endswith("#23")  # the newest first
    assert [i["excerpt"][-3:] for i in last["items"]] == [" #3", " #2", " #1", " #0"]
    assert first["byReason"] == [
        {"kind": "not JSON", "count": 8},
        {"kind": "time in the future", "count": 8},
        {"kind": "unknown metric", "count": 8},
    ]
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    assert client.get(path, headers=auth(stranger.email, PASSWORD)).status_code == 404
    bad_page = client.get(path, params={"page": 0}, headers=headers)
    assert bad_page.status_code == 400 and bad_page.json()["error"]["field"] == "page"


def test_an_excerpt_is_short_one_line_and_shows_control_characters():
    shown = excerpt("<script>\x1b[2J\nalert(1)</script>" + "x" * 500)
    assert shown.startswith("<script>\\x1b[2J\\nalert(1)")
    assert len(shown) == 161 and shown.endswith("…")
    assert excerpt('{"ts": 1}') == '{"ts": 1}'


def test_a_credential_shows_when_the_broker_last_admitted_it(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device_id = make_served_device(hospital, None, "MVI-MR15").device_id
    path = f"/api/v1/devices/{device_id}/telemetry-credentials"
    headers = auth(hospital.email, PASSWORD)
    issued = client.post(path, headers=headers).json()

    assert broker.login(issued["username"], "wrong") is None
    assert client.get(path, headers=headers).json()["items"][0]["lastUsedAt"] is None
    assert broker.login(issued["username"], issued["password"]) is not None
    assert client.get(path, headers=headers).json()["items"][0]["lastUsedAt"] is not None
    assert broker.login(f"dev-{uuid.uuid4().hex[:12]}", "x") is None
