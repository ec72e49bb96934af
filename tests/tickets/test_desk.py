"""A hospital follows its own tickets on the service desk: filters, engineer and clock,
comments, confirming a fix, and reopening within the window (counted against first-time
fix); the service side and other organisations are refused."""

from __future__ import annotations

from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.tickets.service import change_status, open_ticket
from tests.contracts.test_figures import _headers
from tests.factories import make_org, make_served_device

WORK = ("acknowledged", "assigned", "en_route", "on_site", "in_progress", "resolved")


def _resolved_ticket(hospital, partner, device):
    with tenant_session(hospital.actor) as db:
        ticket = open_ticket(db, hospital.actor, device, "P2", "E-7", "no image on screen").id
    with tenant_session(partner.actor) as db:
        for step in WORK:
            change_status(db, partner.actor, ticket, step)
    return ticket


def test_the_hospital_follows_comments_confirms_and_reopens_its_tickets(client):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    mri = make_served_device(hospital, partner, "MVI-MR15")
    other_site = make_served_device(hospital, partner, "MVI-MR15", pincode="400012")
    headers = _headers(client, hospital.email)
    first = _resolved_ticket(hospital, partner, mri.device_id)
    second = _resolved_ticket(hospital, partner, mri.device_id)
    with tenant_session(hospital.actor) as db:
        open_ticket(db, hospital.actor, other_site.device_id, "P3", None, "probe cracked")

    listed = client.get("/api/v1/service/tickets", headers=headers).json()["tickets"]
    assert [t["status"] for t in listed] == ["open", "resolved", "resolved"]  # open first
    assert listed[0]["clockDueAt"] and listed[0]["clock"] == "response"
    by_site = client.get(
        "/api/v1/service/tickets", params={"site": str(mri.site_id)}, headers=headers
    ).json()["tickets"]
    assert {t["ticketId"] for t in by_site} == {str(first), str(second)}
    resolved = client.get(
        "/api/v1/service/tickets", params={"status": "resolved"}, headers=headers
    ).json()["tickets"]
    assert len(resolved) == 2
    bad = client.get("/api/v1/service/tickets", params={"status": "lost"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"

    said = client.post(
        f"/api/v1/service/tickets/{first}/comments",
        json={"body": "<b>Works</b> again, thank you"},
        headers=headers,
    )
    assert said.status_code == 201
    confirmed = client.post(f"/api/v1/service/tickets/{first}/confirm", headers=headers)
    assert confirmed.json()["status"] == "closed"
    assert (
        client.post(f"/api/v1/service/tickets/{first}/confirm", headers=headers).status_code == 409
    )

    reopened = client.post(
        f"/api/v1/service/tickets/{second}/reopen",
        json={"reason": "the image went dark again"},
        headers=headers,
    )
    assert reopened.json()["status"] == "reopened"
    detail = client.get(f"/api/v1/tickets/{second}", headers=headers).json()
    assert detail["history"][-1]["note"] == "the image went dark again"
    with system_session() as db:
        count = db.execute(
            text("SELECT reopen_count FROM ticket WHERE id = :t"), {"t": second}
        ).scalar_one()
    assert count == 1  # counts against first-time fix

    # The service side and other hospitals may not use the desk.
    as_partner = _headers(client, partner.email)
    assert client.get("/api/v1/service/tickets", headers=as_partner).status_code == 403
    assert client.get("/api/v1/service/devices", headers=as_partner).status_code == 403
    base = f"/api/v1/service/tickets/{first}"
    assert (
        client.post(f"{base}/comments", json={"body": "hi"}, headers=as_partner).status_code == 403
    )
    assert client.post(f"{base}/confirm", headers=as_partner).status_code == 403
    assert (
        client.post(f"{base}/reopen", json={"reason": "x"}, headers=as_partner).status_code == 403
    )
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    refused = client.post(f"{base}/confirm", headers=_headers(client, stranger.email))
    assert refused.status_code == 404


def test_a_ticket_resolved_before_the_window_cannot_be_reopened(client):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    device = make_served_device(hospital, partner, "MVI-MR15").device_id
    ticket = _resolved_ticket(hospital, partner, device)
    with system_session() as db:
        db.execute(
            text("UPDATE ticket SET resolved_at = now() - interval '8 days' WHERE id = :t"),
            {"t": ticket},
        )
    late = client.post(
        f"/api/v1/service/tickets/{ticket}/reopen",
        json={"reason": "broken again"},
        headers=_headers(client, hospital.email),
    )
    assert late.status_code == 409 and "open a new ticket" in late.json()["error"]["message"]
