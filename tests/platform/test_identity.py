"""Accounts, sign-in, browser sessions, API tokens and roles."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from argon2 import PasswordHasher
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy import text

from services.actor import Actor, Role, TenantKind
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
from tests.factories import PASSWORD, Org, make_org, platform_admin

REFUSAL = "Wrong e-mail or password"


def _owner_sql(sql: str, **params) -> list:
    with system_session() as db:
        result = db.execute(text(sql), params)
        return result.all() if result.returns_rows else []


def _stored_hash(email: str) -> str:
    [(stored,)] = _owner_sql("SELECT password_hash FROM users WHERE email = :e", e=email)
    return stored


def _audit_count(action: str, user_id: uuid.UUID) -> int:
    [(n,)] = _owner_sql(
        "SELECT count(*) FROM audit_log WHERE action = :a AND entity_id = :u",
        a=action,
        u=str(user_id),
    )
    return n


def _deactivate(org: Org) -> None:
    _owner_sql("UPDATE users SET is_active = false WHERE id = :u", u=org.actor.user_id)


def _idle_for(session_id: uuid.UUID, minutes: float) -> None:
    _owner_sql(
        "UPDATE user_session SET last_seen_at = now() - make_interval(secs => :s) WHERE id = :i",
        s=minutes * 60,
        i=session_id,
    )


def _refusal(email: str, password: str) -> str:
    with pytest.raises(Unauthorized) as refused:
        authenticate(email, password)
    return refused.value.message


def _signed(claims: dict, key: str) -> str:
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(key))


def _claims_for(org: Org, **overrides) -> dict:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "sub": str(org.actor.user_id),
        "tid": str(org.tenant.id),
        "tkind": org.actor.tenant_kind.value,
        "roles": [r.value for r in org.actor.roles],
        "name": org.email,
        "iat": now,
        "exp": now + 60,
        **overrides,
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_passwords_are_stored_as_salted_argon2id_hashes():
    first = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
    second = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
    stored = _stored_hash(first.email)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    assert _stored_hash(second.email) != stored, "same password, different salt"


def test_the_right_password_signs_in_and_is_audited():
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    actor = authenticate(f"  {org.email.upper()} ", PASSWORD)
    assert (actor.user_id, actor.tenant_id, actor.tenant_kind, actor.roles) == (
        org.actor.user_id,
        org.tenant.id,
        TenantKind.OEM,
        frozenset({Role.OEM_SALES}),
    )
    assert _audit_count("auth.login", org.actor.user_id) == 1
    [(last_login,)] = _owner_sql(
        "SELECT last_login_at FROM users WHERE id = :u", u=org.actor.user_id
    )
    assert last_login is not None


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer():
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    wrong = _refusal(org.email, PASSWORD + "!")
    unknown = _refusal(f"nobody.{uuid.uuid4().hex[:6]}@nowhere.in", PASSWORD)
    empty = _refusal(org.email, "")
    assert wrong == unknown == empty == REFUSAL
    assert _audit_count("auth.login_failed", org.actor.user_id) == 2
    assert _audit_count("auth.login", org.actor.user_id) == 0


def test_an_inactive_account_cannot_sign_in_even_with_the_right_password():
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    _deactivate(org)
    assert _refusal(org.email, PASSWORD) == REFUSAL
    assert _audit_count("auth.login_failed", org.actor.user_id) == 1


def test_a_session_lasts_until_sign_out():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    session = str(start_session(org.actor))
    actor = resolve_session(session)
    assert (actor.user_id, actor.tenant_id, actor.roles) == (
        org.actor.user_id,
        org.tenant.id,
        frozenset({Role.BUYER_USER}),
    )
    end_session(org.actor, session)
    assert resolve_session(session) is None
    assert _audit_count("auth.logout", org.actor.user_id) == 1


def test_a_session_lapses_after_the_idle_limit():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    limit = get_settings().session_idle_minutes
    active, idle = start_session(org.actor), start_session(org.actor)
    _idle_for(active, limit - 1)
    _idle_for(idle, limit + 1)
    assert resolve_session(str(active)).user_id == org.actor.user_id
    assert resolve_session(str(idle)) is None
    _idle_for(active, limit - 1)  # resolving refreshed it; a minute short of the limit again
    assert resolve_session(str(active)) is not None


def test_a_deactivated_account_loses_its_sessions():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    session = str(start_session(org.actor))
    assert resolve_session(session) is not None
    _deactivate(org)
    assert resolve_session(session) is None


@pytest.mark.parametrize("garbage", [None, "", "not-a-session", "12345", str(uuid.uuid4())])
def test_unknown_session_ids_resolve_to_nobody(garbage):
    assert resolve_session(garbage) is None


def test_an_access_token_speaks_for_its_actor():
    org = make_org(TenantKind.SERVICE_PARTNER, Role.TECHNICIAN)
    token, lifetime = issue_access_token(org.actor)
    assert lifetime == get_settings().access_token_minutes * 60
    back = verify_access_token(token)
    assert back == org.actor


def test_altered_forged_and_expired_tokens_are_refused():
    org = make_org(TenantKind.SERVICE_PARTNER, Role.TECHNICIAN)
    token, _ = issue_access_token(org.actor)
    header, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    promoted = _b64(json.dumps({**claims, "roles": ["platform_admin"]}).encode())
    key = get_settings().signing_key()
    expired = _signed(_claims_for(org, exp=int(time.time()) - 5), key)
    assert verify_access_token(_signed(_claims_for(org), key)) == org.actor, "same recipe, valid"
    for bad in (
        f"{header}.{payload}.{flipped}",
        f"{header}.{promoted}.{signature}",
        _signed(_claims_for(org), "another-key-another-key-another-key!"),
        _signed(_claims_for(org, iss="someone-else"), key),
        expired,
        "garbage",
        "",
    ):
        with pytest.raises(Unauthorized, match="invalid or has expired"):
            verify_access_token(bad)


@pytest.mark.parametrize(
    "email,roles,password,field",
    [
        ("not-an-email", ["buyer_user"], PASSWORD, "email"),
        ("two@@hospital.in", ["buyer_user"], PASSWORD, "email"),
        ("tech@hospital.in", ["technician"], PASSWORD, "roles"),
        ("boss@hospital.in", ["platform_admin"], PASSWORD, "roles"),
        ("who@hospital.in", ["emperor"], PASSWORD, "roles"),
        ("none@hospital.in", [], PASSWORD, "roles"),
        ("short@hospital.in", ["buyer_user"], "short-pw", "password"),
    ],
)
def test_an_account_is_refused_with_the_field_to_fix(email, roles, password, field):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    admin = platform_admin()
    with pytest.raises(Invalid) as refused, tenant_session(admin) as db:
        create_user(db, admin, hospital.tenant, email, "Someone", roles, password)
    assert refused.value.field == field
    assert _owner_sql("SELECT 1 FROM users WHERE email = :e", e=email.lower()) == []


def test_an_email_has_one_account_only():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    lab = make_org(TenantKind.LAB_CHAIN, Role.BUYER_ADMIN)
    admin = platform_admin()
    with pytest.raises(Conflict, match="already exists"), tenant_session(admin) as db:
        create_user(
            db, admin, lab.tenant, hospital.email.upper(), "Again", ["buyer_user"], PASSWORD
        )
    [(count,)] = _owner_sql("SELECT count(*) FROM users WHERE email = :e", e=hospital.email)
    assert count == 1


def test_a_missing_role_is_forbidden():
    technician = make_org(TenantKind.SERVICE_PARTNER, Role.TECHNICIAN).actor
    with pytest.raises(Forbidden, match="dispatcher, platform_admin"):
        technician.require(Role.DISPATCHER, Role.PLATFORM_ADMIN)
    technician.require(Role.DISPATCHER, Role.TECHNICIAN)  # holding one of them is enough
    nobody = Actor(None, technician.tenant_id, TenantKind.SERVICE_PARTNER)
    with pytest.raises(Forbidden):
        nobody.require(Role.TECHNICIAN)
