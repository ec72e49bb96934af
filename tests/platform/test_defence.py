"""Defence in depth: ended credentials stop working, session rows are private, user rows
change only through the identity functions, definer functions check their caller, and
production refuses default secrets."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from services.actor import Role, TenantKind
from services.db import app_engine, system_session, tenant_session
from services.errors import Unauthorized
from services.identity.service import create_user, resolve_session, start_session
from services.identity.tokens import issue_access_token, verify_access_token
from services.settings import Settings, get_settings
from services.tenancy.models import Tenant
from tests.conftest import ROOT
from tests.factories import PASSWORD, Org, make_org, platform_admin


@contextmanager
def _as_app(tenant_id: uuid.UUID | None, user_id: uuid.UUID | None = None) -> Iterator[Connection]:
    """Raw SQL as the application role, with the context the app sets."""
    with app_engine().connect() as con, con.begin():
        con.execute(
            text(
                "SELECT set_config('app.tenant_id', :t, true), set_config('app.user_id', :u, true)"
            ),
            {"t": str(tenant_id or ""), "u": str(user_id or "")},
        )
        yield con


def _owner_sql(sql: str, **params) -> list:
    with system_session() as db:
        result = db.execute(text(sql), params)
        return result.all() if result.returns_rows else []


def _colleague(org: Org, role: Role) -> uuid.UUID:
    """A second account in the same organisation."""
    admin = platform_admin()
    with tenant_session(admin) as db:
        user = create_user(
            db,
            admin,
            db.get(Tenant, org.tenant.id),
            f"colleague.{uuid.uuid4().hex[:8]}@test.yantra.in",
            "Colleague",
            [role.value],
            PASSWORD,
        )
    return user.id


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- Ended credentials -------------------------------------------------------------------


def test_disabling_an_account_ends_its_token_and_sessions_at_once(client):
    admin = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    member_id = _colleague(admin, Role.BUYER_USER)
    [(email,)] = _owner_sql("SELECT email FROM users WHERE id = :u", u=member_id)
    token = client.post(
        "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    ).json()["access_token"]
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    admin_token, _ = issue_access_token(admin.actor)

    changed = client.patch(
        f"/api/v1/users/{member_id}", json={"isActive": False}, headers=_bearer(admin_token)
    )
    assert changed.status_code == 200 and changed.json()["isActive"] is False
    refused = client.get("/api/v1/me", headers=_bearer(token))
    assert refused.status_code == 401 and "sign in again" in refused.json()["error"]["message"]
    [(audited,)] = _owner_sql(
        "SELECT count(*) FROM audit_log WHERE action = 'user.disable' AND entity_id = :u",
        u=str(member_id),
    )
    assert audited == 1


def test_another_process_refuses_a_disabled_accounts_token_within_its_check_window(monkeypatch):
    # This process rechecks an account once its window has passed (30 s by default;
    # none here, so the test need not wait).
    monkeypatch.setattr(get_settings(), "credential_check_seconds", 0)
    org = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    token, _ = issue_access_token(org.actor)
    assert verify_access_token(token) == org.actor
    # Another process disables the account: nothing tells this one.
    _owner_sql(
        "UPDATE users SET is_active = false, token_generation = token_generation + 1 WHERE id = :u",
        u=org.actor.user_id,
    )
    with pytest.raises(Unauthorized, match="sign in again"):
        verify_access_token(token)


def test_signing_out_ends_every_token_and_session_of_the_account(client, monkeypatch):
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    session = str(start_session(org.actor))
    first = client.post(
        "/api/v1/auth/token", data={"username": org.email, "password": PASSWORD}
    ).json()
    other, _ = issue_access_token(org.actor)
    assert (
        client.post("/api/v1/auth/logout", headers=_bearer(first["access_token"])).status_code
        == 204
    )
    for token in (first["access_token"], other):
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert resolve_session(session) is None
    fresh = client.post(
        "/api/v1/auth/token", data={"username": org.email, "password": PASSWORD}
    ).json()
    assert client.get("/api/v1/me", headers=_bearer(fresh["access_token"])).status_code == 200


# --- Rows the app role may not touch -----------------------------------------------------


def test_members_of_one_organisation_cannot_read_each_others_sessions():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    colleague = _colleague(org, Role.BUYER_USER)
    mine = start_session(org.actor)
    _owner_sql(
        "INSERT INTO user_session (id, tenant_id, user_id, created_at, last_seen_at) "
        "VALUES (gen_random_uuid(), :t, :u, now(), now())",
        t=org.tenant.id,
        u=colleague,
    )
    with _as_app(org.tenant.id, org.actor.user_id) as con:
        seen = set(con.execute(text("SELECT id FROM user_session")).scalars())
        stolen = con.execute(
            text("UPDATE user_session SET last_seen_at = now() WHERE user_id = :c"),
            {"c": colleague},
        ).rowcount
    assert seen == {mine} and stolen == 0
    with _as_app(org.tenant.id) as con:  # the organisation alone, no user: nothing
        assert con.execute(text("SELECT count(*) FROM user_session")).scalar_one() == 0


@pytest.mark.parametrize(
    "change",
    [
        "roles = ARRAY['buyer_admin']",
        "is_active = false",
        "password_hash = 'x'",
        "token_generation = 0",
    ],
)
def test_the_app_role_cannot_change_roles_passwords_or_the_active_flag(change):
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    with (
        pytest.raises(DBAPIError, match="permission denied"),
        _as_app(org.tenant.id, org.actor.user_id) as con,
    ):
        con.execute(text(f"UPDATE users SET {change} WHERE id = :u"), {"u": org.actor.user_id})
    with _as_app(org.tenant.id, org.actor.user_id) as con:  # a name is fine
        assert (
            con.execute(
                text("UPDATE users SET full_name = 'New name' WHERE id = :u"),
                {"u": org.actor.user_id},
            ).rowcount
            == 1
        )


def test_roles_change_only_by_an_admin_through_the_identity_function():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    member = _colleague(org, Role.BUYER_USER)
    with (
        pytest.raises(DBAPIError, match="admin of its organisation"),
        _as_app(org.tenant.id, member) as con,
    ):
        con.execute(text("SELECT identity_set_roles(:u, ARRAY['buyer_admin'])"), {"u": member})
    with (
        pytest.raises(DBAPIError, match="InsufficientPrivilege"),
        _as_app(org.tenant.id, org.actor.user_id) as con,
    ):
        con.execute(text("SELECT identity_set_roles(:u, ARRAY['platform_admin'])"), {"u": member})
    with _as_app(org.tenant.id, org.actor.user_id) as con:
        con.execute(text("SELECT identity_set_roles(:u, ARRAY['buyer_admin'])"), {"u": member})
    [(roles, generation)] = _owner_sql(
        "SELECT roles, token_generation FROM users WHERE id = :u", u=member
    )
    assert roles == ["buyer_admin"] and generation == 1, "older tokens named the old roles"


def test_no_organisation_can_give_itself_a_platform_admin():
    org = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    with (
        pytest.raises(DBAPIError, match="platform's own accounts"),
        _as_app(org.tenant.id, org.actor.user_id) as con,
    ):
        con.execute(
            text(
                "INSERT INTO users (id, tenant_id, email, full_name, roles, "
                "is_service_account, is_active, created_at) VALUES "
                "(gen_random_uuid(), :t, :e, 'Boss', ARRAY['platform_admin'], "
                "false, true, now())"
            ),
            {"t": org.tenant.id, "e": f"boss.{uuid.uuid4().hex[:6]}@oem.in"},
        )


# --- Definer functions -------------------------------------------------------------------


def test_every_definer_function_pins_its_search_path_and_is_not_public():
    rows = _owner_sql("""
        SELECT p.proname, coalesce(array_to_string(p.proconfig, ','), ''),
               EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner)))
                        WHERE grantee = 0 AND privilege_type = 'EXECUTE')
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND p.prosecdef""")
    assert len(rows) >= 20
    for name, config, public in rows:
        assert "search_path=public, pg_temp" in config, f"{name} does not pin search_path"
        assert not public, f"{name} is executable by every database role"


def test_definer_functions_answer_nothing_outside_their_callers_reach():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    with _as_app(None) as con:
        facility = con.execute(
            text("SELECT app_facility_owner(id) FROM healthcare_facilities LIMIT 1")
        ).scalar()
        email_taken = con.execute(
            text("SELECT auth_email_taken(:e)"), {"e": org.email}
        ).scalar_one()
    assert facility is None and email_taken is False
    with _as_app(org.tenant.id, org.actor.user_id) as con:  # a hash is read at sign-in only
        assert (
            con.execute(text("SELECT * FROM auth_login_lookup(:e)"), {"e": org.email}).first()
            is None
        )
    with (
        pytest.raises(DBAPIError, match="outside any organisation"),
        _as_app(org.tenant.id, org.actor.user_id) as con,
    ):
        con.execute(
            text("SELECT auth_login_failed(:e, NULL, 5, 20, 900, 900, 86400)"), {"e": org.email}
        )


# --- Production settings -----------------------------------------------------------------


def _production_env(**extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TOKEN_SIGNING_KEY", "QR_SIGNING_KEYS", "DEMO_PASSWORD", "APP_DB_PASSWORD"}
    }
    return {**env, "YANTRA_ENV": "production", **extra}


def test_production_refuses_to_start_with_default_secrets():
    started = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    for named in ("APP_DB_PASSWORD", "DEMO_PASSWORD", "TOKEN_SIGNING_KEY", "QR_SIGNING_KEYS"):
        assert named in started.stderr, started.stderr
    assert "refusing to start in production" in started.stderr


def test_production_starts_with_secrets_of_its_own(tmp_path):
    good = Settings(
        yantra_env="production",
        var_dir=tmp_path,
        database_url="postgresql://yantra:Zq8-owner-secret@db/yantra",
        app_db_password="Kp2-app-secret-value",
        demo_password="demo-Xy7-secret",
        token_signing_key="k" * 48,
        qr_signing_keys="1:" + "q" * 32,
    )
    assert good.production_problems() == []
    good.require_fit_for_production()
    unkeyed = Settings(yantra_env="production", var_dir=tmp_path, token_signing_key=None)
    with pytest.raises(RuntimeError, match="TOKEN_SIGNING_KEY must be set"):
        unkeyed.signing_key()
    assert not (tmp_path / "secrets").exists(), "production never writes a key of its own"
    weak_owner = Settings(
        yantra_env="production", database_url="postgresql://postgres:postgres@db/yantra"
    )
    assert "DATABASE_URL uses a default or empty password" in weak_owner.production_problems()
