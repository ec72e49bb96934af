"""Accounts, sign-in, sessions and tokens."""

from __future__ import annotations

import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.errors import Conflict, Forbidden, Invalid, Unauthorized
from services.identity.service import (
    authenticate,
    create_user,
    end_session,
    resolve_session,
    start_session,
)
from services.identity.tokens import ISSUER, issue_access_token, verify_access_token
from services.settings import get_settings
from tests.factories import PASSWORD, make_org, platform_admin


def test_passwords_are_stored_as_argon2id_hashes():
    org = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
    with system_session() as db:
        stored = db.execute(text("SELECT password_hash FROM users WHERE email = :e"),
                            {"e": org.email}).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_accepts_the_right_password_only():
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    actor = authenticate(org.email.upper(), PASSWORD)
    assert (actor.user_id, actor.tenant_id, actor.roles) == (
        org.actor.user_id, org.tenant.id, frozenset({Role.OEM_SALES}))
    messages = set()
    for email, password in ((org.email, "wrong-password"), ("nobody@nowhere.in", PASSWORD)):
        with pytest.raises(Unauthorized) as refused:
            authenticate(email, password)
        messages.add(refused.value.message)
    assert messages == {"Wrong e-mail or password"}
    with system_session() as db:
        failures = db.execute(text("SELECT count(*) FROM audit_log WHERE action = "
                                   "'auth.login_failed' AND actor_label = :e"),
                              {"e": org.email}).scalar_one()
    assert failures == 1


def test_inactive_accounts_cannot_sign_in():
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    with system_session() as db:
        db.execute(text("UPDATE users SET is_active = false WHERE email = :e"), {"e": org.email})
    with pytest.raises(Unauthorized):
        authenticate(org.email, PASSWORD)


def test_sessions_end_on_sign_out_and_after_inactivity():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    session = start_session(org.actor)
    assert resolve_session(str(session)).user_id == org.actor.user_id
    end_session(org.actor, str(session))
    assert resolve_session(str(session)) is None

    idle = start_session(org.actor)
    minutes = get_settings().session_idle_minutes
    with system_session() as db:
        db.execute(text("UPDATE user_session SET last_seen_at = now() - make_interval(mins => :m)"
                        " WHERE id = :s"), {"m": minutes + 1, "s": idle})
    assert resolve_session(str(idle)) is None
    for garbage in ("", "not-a-uuid", str(uuid.uuid4())):
        assert resolve_session(garbage) is None


def test_tokens_round_trip_and_refuse_tampering():
    org = make_org(TenantKind.SERVICE_PARTNER, Role.TECHNICIAN)
    token, lifetime = issue_access_token(org.actor)
    assert lifetime == get_settings().access_token_minutes * 60
    back = verify_access_token(token)
    assert (back.user_id, back.tenant_id, back.tenant_kind, back.roles) == (
        org.actor.user_id, org.tenant.id, TenantKind.SERVICE_PARTNER,
        frozenset({Role.TECHNICIAN}))

    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": str(org.actor.user_id), "tid": str(org.tenant.id),
              "tkind": "service_partner", "roles": ["platform_admin"], "iat": now}
    other_key = jwt.encode({"alg": "HS256"}, {**claims, "exp": now + 60},
                           OctKey.import_key("another-key-another-key-another-key!"))
    expired = jwt.encode({"alg": "HS256"}, {**claims, "exp": now - 5},
                         OctKey.import_key(get_settings().signing_key()))
    for bad in (f"{header}.{payload}.{flipped}", other_key, expired, "garbage"):
        with pytest.raises(Unauthorized):
            verify_access_token(bad)


@pytest.mark.parametrize("email,roles,password,error,field", [
    ("not-an-email", ["buyer_user"], PASSWORD, Invalid, "email"),
    ("tech@hospital.in", ["technician"], PASSWORD, Invalid, "roles"),
    ("who@hospital.in", ["emperor"], PASSWORD, Invalid, "roles"),
    ("short@hospital.in", ["buyer_user"], "short", Invalid, "password"),
    ("none@hospital.in", [], PASSWORD, Invalid, "roles"),
])
def test_accounts_are_refused_with_the_field_to_fix(email, roles, password, error, field):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    admin = platform_admin()
    with pytest.raises(error) as refused, tenant_session(admin) as db:
        create_user(db, admin, hospital.tenant, email, "Someone", roles, password)
    assert refused.value.field == field


def test_an_email_has_one_account_only():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    admin = platform_admin()
    with pytest.raises(Conflict), tenant_session(admin) as db:
        create_user(db, admin, hospital.tenant, hospital.email.upper(), "Again",
                    ["buyer_user"], PASSWORD)


def test_a_missing_role_is_forbidden():
    org = make_org(TenantKind.SERVICE_PARTNER, Role.TECHNICIAN)
    with pytest.raises(Forbidden):
        org.actor.require(Role.DISPATCHER, Role.PLATFORM_ADMIN)
