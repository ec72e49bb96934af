"""The admin routes: invitations, role changes, disabling with immediate effect, reset
links, and the audit trail filtered and exported."""

from __future__ import annotations

import csv
import io
import uuid

from services.actor import Role, TenantKind
from tests.factories import PASSWORD, make_org

NEW_PASSWORD = "a-brand-new-passphrase"


def _invite(client, auth, org, roles=("buyer_user",), name="Asha Rao"):
    email = f"asha.{uuid.uuid4().hex[:6]}@test.yantra.in"
    answer = client.post(
        f"/api/v1/tenants/{org.tenant.id}/invitations",
        json={"email": email, "fullName": name, "roles": list(roles)},
        headers=auth(org.email, PASSWORD),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _accept(client, invitation, password=NEW_PASSWORD):
    secret = invitation["link"].rsplit("/", 1)[-1]
    answer = client.post(f"/api/v1/auth/links/{secret}", data={"password": password})
    assert answer.status_code == 204, answer.text


def test_an_invitation_link_is_shown_to_the_admin_and_sets_the_password(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    invitation = _invite(client, auth, hospital)
    assert invitation["link"].startswith("http") and "/account/password/" in invitation["link"]
    secret = invitation["link"].rsplit("/", 1)[-1]
    about = client.get(f"/api/v1/auth/links/{secret}").json()
    assert about["email"] == invitation["email"] and about["organisation"] == hospital.tenant.name
    short = client.post(f"/api/v1/auth/links/{secret}", data={"password": "short"})
    assert short.status_code == 400 and short.json()["error"]["field"] == "password"
    _accept(client, invitation)
    again = client.post(f"/api/v1/auth/links/{secret}", data={"password": NEW_PASSWORD})
    assert again.status_code == 404
    token = client.post(
        "/api/v1/auth/token", data={"username": invitation["email"], "password": NEW_PASSWORD}
    )
    assert token.status_code == 200


def test_a_disabled_users_token_is_refused_at_once(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    invitation = _invite(client, auth, hospital)
    _accept(client, invitation)
    theirs = auth(invitation["email"], NEW_PASSWORD)
    assert client.get("/api/v1/me", headers=theirs).status_code == 200
    answer = client.patch(
        f"/api/v1/users/{invitation['userId']}",
        json={"isActive": False},
        headers=auth(hospital.email, PASSWORD),
    )
    assert answer.status_code == 200 and answer.json()["isActive"] is False
    assert client.get("/api/v1/me", headers=theirs).status_code == 401
    refused = client.post(
        "/api/v1/auth/token", data={"username": invitation["email"], "password": NEW_PASSWORD}
    )
    assert refused.status_code == 401


def test_an_org_admin_is_refused_on_another_organisation(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    other = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    mine = auth(hospital.email, PASSWORD)
    invite = client.post(
        f"/api/v1/tenants/{other.tenant.id}/invitations",
        json={"email": "x@test.yantra.in", "roles": ["buyer_user"]},
        headers=mine,
    )
    assert invite.status_code == 403
    disable = client.patch(
        f"/api/v1/users/{other.actor.user_id}", json={"isActive": False}, headers=mine
    )
    assert disable.status_code == 404
    reset = client.post(f"/api/v1/users/{other.actor.user_id}/password-reset", headers=mine)
    assert reset.status_code == 404
    assert client.get("/api/v1/me", headers=auth(other.email, PASSWORD)).status_code == 200


def test_the_last_admin_is_protected(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    mine = auth(hospital.email, PASSWORD)
    for change in ({"isActive": False}, {"roles": ["buyer_user"]}):
        answer = client.patch(f"/api/v1/users/{hospital.actor.user_id}", json=change, headers=mine)
        assert answer.status_code == 409, answer.text
        assert "last active admin" in answer.json()["error"]["message"]
    assert client.get("/api/v1/me", headers=mine).status_code == 200


def test_a_role_change_takes_effect_and_a_wrong_role_names_the_field(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    invitation = _invite(client, auth, hospital)
    mine = auth(hospital.email, PASSWORD)
    promoted = client.patch(
        f"/api/v1/users/{invitation['userId']}", json={"roles": ["buyer_admin"]}, headers=mine
    )
    assert promoted.status_code == 200 and promoted.json()["roles"] == ["buyer_admin"]
    wrong = client.patch(
        f"/api/v1/users/{invitation['userId']}", json={"roles": ["dispatcher"]}, headers=mine
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "roles"


def test_a_reset_link_lets_the_user_choose_a_new_password(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    invitation = _invite(client, auth, hospital)
    _accept(client, invitation)
    reset = client.post(
        f"/api/v1/users/{invitation['userId']}/password-reset",
        headers=auth(hospital.email, PASSWORD),
    )
    assert reset.status_code == 201 and reset.json()["purpose"] == "reset"
    _accept(client, reset.json(), "the-second-passphrase")
    old = client.post(
        "/api/v1/auth/token", data={"username": invitation["email"], "password": NEW_PASSWORD}
    )
    assert old.status_code == 401


def test_the_audit_list_filters_by_user_action_and_date_and_pages(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    mine = auth(hospital.email, PASSWORD)
    for _ in range(3):
        _invite(client, auth, hospital)
    base = "/api/v1/audit"
    everything = client.get(base, headers=mine).json()
    assert everything["total"] >= 7  # 3 accounts created, 3 invitations, a sign-in...
    invites = client.get(base, params={"action": "user.invite"}, headers=mine).json()
    assert invites["total"] == 3
    assert {e["action"] for e in invites["entries"]} == {"user.invite"}
    family = client.get(base, params={"action": "user", "limit": 2}, headers=mine).json()
    assert family["total"] == 6 and len(family["entries"]) == 2
    second = client.get(
        base, params={"action": "user", "limit": 2, "offset": 2}, headers=mine
    ).json()
    assert {e["seq"] for e in second["entries"]}.isdisjoint(e["seq"] for e in family["entries"])
    by_me = client.get(base, params={"userId": str(hospital.actor.user_id)}, headers=mine).json()
    assert by_me["total"] >= 6
    assert {e["actorId"] for e in by_me["entries"]} == {str(hospital.actor.user_id)}
    past = client.get(base, params={"from": "2020-01-01", "to": "2020-12-31"}, headers=mine)
    assert past.json()["total"] == 0
    backwards = client.get(base, params={"from": "2026-12-02", "to": "2026-12-01"}, headers=mine)
    assert backwards.status_code == 400 and backwards.json()["error"]["field"] == "to"
    other = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    theirs = client.get(base, params={"tenantId": str(other.tenant.id)}, headers=mine).json()
    assert theirs["total"] == 0, "an org admin never sees another organisation's entries"


def test_the_audit_csv_is_escaped_against_formulas(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    email = f"=1+2.{uuid.uuid4().hex[:6]}@test.yantra.in"  # a valid address, and a formula
    answer = client.post(
        f"/api/v1/tenants/{hospital.tenant.id}/invitations",
        json={"email": email, "fullName": "Formula", "roles": ["buyer_user"]},
        headers=auth(hospital.email, PASSWORD),
    )
    assert answer.status_code == 201, answer.text
    _accept(client, answer.json())  # the audit entry's "who" is that address
    export = client.get(
        "/api/v1/audit/export.csv",
        params={"action": "user"},
        headers=auth(hospital.email, PASSWORD),
    )
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0][:5] == ["seq", "when_ist", "organisation", "who", "action"]
    assert [r[4] for r in rows[1:]] == ["user.invite_accepted", "user.invite", "user.create"]
    assert all(row[2] == hospital.tenant.name for row in rows[1:])
    assert rows[1][3] == "'" + email, "shown as text, never run as a formula"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
