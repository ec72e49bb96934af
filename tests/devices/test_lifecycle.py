"""A hospital edits, moves, takes out of service and decommissions its devices: a move
keeps the label valid and is audited; another organisation's site or role is refused."""

from __future__ import annotations

from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.devices.models import QrCode
from services.devices.scanning import device_by_label
from services.geo.models import HealthcareFacility
from services.tickets.service import open_ticket
from tests.contracts.test_figures import _headers
from tests.factories import make_org, make_served_device


def _second_site(org) -> str:
    with tenant_session(org.actor) as db:
        site = HealthcareFacility(
            tenant_id=org.tenant.id,
            name="Annexe, Saket",
            pincode="110017",
            facility_type="hospital",
        )
        db.add(site)
    return str(site.id)


def test_a_transfer_keeps_the_label_valid_and_audits_the_move(client):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    served = make_served_device(hospital, partner, "MVI-MR15")
    annexe = _second_site(hospital)
    headers = _headers(client, hospital.email)
    moved = client.post(
        f"/api/v1/devices/{served.device_id}/transfer",
        json={"facilityId": annexe, "note": "moved to the new MRI suite"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    with tenant_session(hospital.actor) as db:
        payload = db.get(QrCode, served.label_id).payload
        scanned = device_by_label(db, payload)
    assert scanned["deviceId"] == str(served.device_id)
    assert scanned["facility"] == annexe and scanned["facilityName"] == "Annexe, Saket"
    with system_session() as db:
        summary = db.execute(
            text(
                "SELECT summary FROM audit_log WHERE action = 'device.transfer' AND entity_id = :d"
            ),
            {"d": str(served.device_id)},
        ).scalar_one()
    assert "to Annexe, Saket: moved to the new MRI suite" in summary

    other = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    refused = client.post(
        f"/api/v1/devices/{served.device_id}/transfer",
        json={"facilityId": _second_site(other)},
        headers=headers,
    )
    assert refused.status_code in (403, 404)

    # The service side sees the device but may not change it.
    as_partner = _headers(client, partner.email)
    path = f"/api/v1/devices/{served.device_id}"
    assert client.patch(path, json={"slaTier": "gold"}, headers=as_partner).status_code == 403
    moved_back = {"facilityId": str(served.site_id)}
    assert client.post(f"{path}/transfer", json=moved_back, headers=as_partner).status_code == 403
    out = {"state": "out_of_service", "reason": "x"}
    assert client.post(f"{path}/service-state", json=out, headers=as_partner).status_code == 403
    gone = {"reason": "x"}
    assert client.post(f"{path}/decommission", json=gone, headers=as_partner).status_code == 403


def test_edit_checks_fields_like_registration_and_decommission_needs_a_reason(client):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    served = make_served_device(hospital, None, "MVI-MR15")
    headers = _headers(client, hospital.email)
    path = f"/api/v1/devices/{served.device_id}"
    edited = client.patch(
        path, json={"serialNumber": "MR-NEW-0001", "slaTier": "gold"}, headers=headers
    )
    assert edited.status_code == 200 and edited.json()["serialNumber"] == "MR-NEW-0001"
    bad = client.patch(path, json={"slaTier": "diamond"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "slaTier"
    future = client.patch(path, json={"installationDate": "2999-01-01"}, headers=headers)
    assert future.status_code == 400 and future.json()["error"]["field"] == "installationDate"

    out = client.post(
        f"{path}/service-state",
        json={"state": "out_of_service", "reason": "room flooded"},
        headers=headers,
    )
    assert out.json()["serviceState"] == "out_of_service"
    with tenant_session(hospital.actor) as db:
        open_ticket(db, hospital.actor, served.device_id, "P3", None, "check after the flood")
    blocked = client.post(f"{path}/decommission", json={"reason": "beyond repair"}, headers=headers)
    assert blocked.status_code == 409  # an open ticket first
    with system_session() as db:
        db.execute(
            text("UPDATE ticket SET status = 'cancelled' WHERE equipment_id = :d"),
            {"d": served.device_id},
        )
    no_reason = client.post(f"{path}/decommission", json={"reason": " "}, headers=headers)
    assert no_reason.status_code == 400
    done = client.post(f"{path}/decommission", json={"reason": "beyond repair"}, headers=headers)
    assert done.json()["serviceState"] == "decommissioned"
    again = client.patch(path, json={"slaTier": "gold"}, headers=headers)
    assert again.status_code == 409
