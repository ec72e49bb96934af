"""Admins invite people, change their roles, disable and enable them and reset their
passwords; the person at the other end of a link sets a password with it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.identity import admin as accounts
from services.identity.service import authenticate, resolve_session, start_session
from tests.factories import PASSWORD, make_org, platform_admin

NEW_PASSWORD = "a-brand-new-passphrase"


def _secret(link: accounts.IssuedLink) -> str:
    return link.path.rsplit("/", 1)[-1]


def _audit_actions(user_id: uuid.UUID) -> list[str]:
    with system_session() as db:
        rows = db.execute(
            text("SELECT action FROM audit_log WHERE entity_id = :u ORDER BY seq"),
            {"u": str(user_id)},
        ).all()
    return [r.action for r in rows]


def _invite(org, roles=("buyer_user",), email=None):
    email = email or f"asha.{uuid.uuid4().hex[:6]}@test.yantra.in"
    with tenant_session(org.actor) as db:
        return accounts.invite_user(db, org.actor, org.tenant.id, email, "Asha Rao", list(roles))


def test_an_invited_person_sets_a_password_once_and_signs_in():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    assert link.path.startswith("/account/password/") and len(_secret(link)) >= 40
    details = accounts.link_details(_secret(link))
    assert details["email"] == link.user.email and details["purpose"] == "invite"
    assert details["organisation"] == hospital.tenant.name

    accounts.redeem_link(_secret(link), NEW_PASSWORD)

    actor = authenticate(link.user.email, NEW_PASSWORD)
    assert actor.roles == frozenset({Role.BUYER_USER}) and actor.tenant_id == hospital.tenant.id
    assert accounts.link_details(_secret(link)) is None
    with pytest.raises(NotFound):
        accounts.redeem_link(_secret(link), "another-long-passphrase")
    assert _audit_actions(link.user.id) == [
        "user.create",
        "user.invite",
        "user.invite_accepted",
        "auth.login",
    ]


def test_a_short_password_is_refused_and_the_link_stays_usable():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    with pytest.raises(Invalid) as refused:
        accounts.redeem_link(_secret(link), "short")
    assert refused.value.field == "password"
    assert accounts.link_details(_secret(link)) is not None


def test_an_org_admin_cannot_invite_to_or_manage_another_organisation():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    other = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    with tenant_session(hospital.actor) as db, pytest.raises(Forbidden):
        accounts.invite_user(
            db, hospital.actor, other.tenant.id, "x@test.yantra.in", "X", ["buyer_user"]
        )
    for act in (
        lambda db: accounts.set_active(db, hospital.actor, other.actor.user_id, False),
        lambda db: accounts.change_roles(db, hospital.actor, other.actor.user_id, ["buyer_user"]),
        lambda db: accounts.reset_password(db, hospital.actor, other.actor.user_id),
    ):
        with tenant_session(hospital.actor) as db, pytest.raises(NotFound):
            act(db)
    assert authenticate(other.email, PASSWORD).user_id == other.actor.user_id


def test_a_plain_user_cannot_manage_accounts():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    accounts.redeem_link(_secret(link), NEW_PASSWORD)
    user = authenticate(link.user.email, NEW_PASSWORD)
    with tenant_session(user) as db, pytest.raises(Forbidden):
        accounts.set_active(db, user, hospital.actor.user_id, False)


def test_roles_change_within_what_the_organisation_may_hold():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    with tenant_session(hospital.actor) as db:
        user = accounts.change_roles(db, hospital.actor, link.user.id, ["buyer_admin"])
    assert user.roles == ["buyer_admin"]
    with tenant_session(hospital.actor) as db, pytest.raises(Invalid) as refused:
        accounts.change_roles(db, hospital.actor, link.user.id, ["technician"])
    assert refused.value.field == "roles"
    assert "user.roles" in _audit_actions(link.user.id)


def test_the_last_admin_can_be_neither_disabled_nor_demoted():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    me = hospital.actor.user_id
    with tenant_session(hospital.actor) as db, pytest.raises(Conflict) as refused:
        accounts.set_active(db, hospital.actor, me, False)
    assert "last active admin" in refused.value.message
    with tenant_session(hospital.actor) as db, pytest.raises(Conflict):
        accounts.change_roles(db, hospital.actor, me, ["buyer_user"])
    admin = platform_admin()
    with tenant_session(admin) as db, pytest.raises(Conflict):
        accounts.set_active(db, admin, me, False)
    # With a second admin, the first may step down.
    second = _invite(hospital, roles=("buyer_admin",))
    accounts.redeem_link(_secret(second), NEW_PASSWORD)
    with tenant_session(hospital.actor) as db:
        assert accounts.change_roles(db, hospital.actor, me, ["buyer_user"]).roles == ["buyer_user"]


def test_the_database_keeps_the_last_admin_even_when_asked_directly():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    with pytest.raises(Exception, match="keeps at least one active admin"):
        with tenant_session(hospital.actor) as db:
            db.execute(text("SELECT identity_set_active(:u, false)"), {"u": hospital.actor.user_id})


def test_disabling_ends_sessions_and_links_and_enabling_lets_them_sign_in_again():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    accounts.redeem_link(_secret(link), NEW_PASSWORD)
    user = authenticate(link.user.email, NEW_PASSWORD)
    session = str(start_session(user))
    with tenant_session(hospital.actor) as db:
        reset = accounts.reset_password(db, hospital.actor, user.user_id)
        accounts.set_active(db, hospital.actor, user.user_id, False)
    assert resolve_session(session) is None
    assert accounts.link_details(_secret(reset)) is None
    with tenant_session(hospital.actor) as db, pytest.raises(Conflict):
        accounts.reset_password(db, hospital.actor, user.user_id)
    with tenant_session(hospital.actor) as db:
        assert accounts.set_active(db, hospital.actor, user.user_id, True).is_active
    assert authenticate(link.user.email, NEW_PASSWORD).user_id == user.user_id
    assert _audit_actions(user.user_id)[-3:-1] == ["user.disable", "user.enable"]


def test_a_reset_link_replaces_the_older_one_and_ends_sessions():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    accounts.redeem_link(_secret(link), NEW_PASSWORD)
    session = str(start_session(authenticate(link.user.email, NEW_PASSWORD)))
    with tenant_session(hospital.actor) as db:
        first = accounts.reset_password(db, hospital.actor, link.user.id)
        second = accounts.reset_password(db, hospital.actor, link.user.id)
    assert accounts.link_details(_secret(first)) is None
    assert accounts.link_details(_secret(second))["purpose"] == "reset"
    accounts.redeem_link(_secret(second), "yet-another-passphrase")
    assert resolve_session(session) is None
    assert authenticate(link.user.email, "yet-another-passphrase").user_id == link.user.id
    assert "user.password_reset" in _audit_actions(link.user.id)


def test_only_the_hash_of_a_link_is_stored():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    with system_session() as db:
        stored = db.execute(
            text("SELECT token_hash FROM account_link WHERE user_id = :u"), {"u": link.user.id}
        ).scalar_one()
    assert _secret(link) not in stored and len(stored) == 64


def test_links_cannot_be_issued_or_read_by_plain_members_in_the_database():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    link = _invite(hospital)
    accounts.redeem_link(_secret(link), NEW_PASSWORD)
    member = authenticate(link.user.email, NEW_PASSWORD)
    with pytest.raises(Exception, match="admin of its organisation"):
        with tenant_session(member) as db:
            db.execute(
                text("SELECT identity_issue_link(:u, 'reset', :h, 60)"),
                {"u": hospital.actor.user_id, "h": "0" * 64},
            )
    with pytest.raises(Exception, match="permission denied"):
        with tenant_session(member) as db:
            db.execute(
                text(
                    "INSERT INTO account_link (tenant_id, user_id, purpose, token_hash, "
                    "expires_at) VALUES (:t, :u, 'reset', :h, now() + interval '1 day')"
                ),
                {"t": hospital.tenant.id, "u": hospital.actor.user_id, "h": "1" * 64},
            )
