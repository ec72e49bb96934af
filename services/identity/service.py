"""Accounts, sign-in and browser sessions."""

from __future__ import annotations

import logging
import re
import uuid
from typing import NoReturn

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import ROLES_BY_TENANT_KIND, Actor, Role, TenantKind
from services.audit import service as audit
from services.columns import utcnow
from services.db import public_session, tenant_session
from services.errors import Conflict, Invalid, TooManyAttempts, Unauthorized
from services.events.service import emit
from services.identity import throttle
from services.identity.credentials import end_credentials
from services.identity.models import User, UserSession
from services.identity.passwords import MAX_PASSWORD, hash_password, verify_password
from services.settings import get_settings
from services.tenancy.models import Tenant

log = logging.getLogger("yantra.identity")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
REFUSAL = "Wrong e-mail or password"


def _actor_from_row(row, label: str) -> Actor:
    return Actor(
        user_id=row.user_id,
        tenant_id=row.tenant_id,
        tenant_kind=TenantKind(row.tenant_kind),
        roles=frozenset(Role(r) for r in row.roles),
        label=label,
    )


def authenticate(
    email: str, password: str, client_address: str | None = None, *, service_account: bool = False
) -> Actor:
    """The actor for a correct e-mail (or client id) and password. Raises Unauthorized,
    with the same message whether the account is unknown, inactive or the password wrong
    (an unknown account costs the same hash check as a known one). Raises TooManyAttempts
    while the account or `client_address` is locked after repeated failures (even for the
    right password), or when too many sign-ins are being checked at once."""
    email = (email or "").strip().lower()[:254]
    password = password or ""
    wait = throttle.wait_seconds(email, client_address)
    if wait:
        raise TooManyAttempts(wait)
    with public_session() as db:
        row = db.execute(text("SELECT * FROM auth_login_lookup(:e)"), {"e": email}).first()
    ok = len(password) <= MAX_PASSWORD and verify_password(
        row.password_hash if row else None, password
    )
    if row is None or not ok or not row.is_active:
        _refuse(row, email, client_address)
    actor = _actor_from_row(row, email)
    with tenant_session(actor) as db:
        user = db.get(User, row.user_id)
        if user.is_service_account != service_account:
            raise Unauthorized(REFUSAL)
        user.last_login_at = utcnow()
        db.add(user)
        audit.record(
            db,
            actor,
            "auth.login",
            "user",
            user.id,
            "token issued" if service_account else "signed in",
        )
    throttle.record_success(email)
    return actor


def _refuse(row, email: str, client_address: str | None) -> NoReturn:
    """Audit a failed sign-in, count it, and refuse: 429 once it starts a lock."""
    if row is not None:
        actor = _actor_from_row(row, email)
        with tenant_session(actor) as db:
            audit.record(
                db,
                actor,
                "auth.login_failed",
                "user",
                row.user_id,
                "sign-in refused: wrong password or inactive account",
            )
    locked = throttle.record_failure(email, client_address)
    if locked:
        log.warning("sign-in locked for %s s (account or address %s)", locked, client_address)
        raise TooManyAttempts(locked)
    raise Unauthorized(REFUSAL)


def start_session(actor: Actor) -> uuid.UUID:
    """Open a browser session for a signed-in actor; it lapses after inactivity."""
    with tenant_session(actor) as db:
        session = UserSession(tenant_id=actor.tenant_id, user_id=actor.user_id)
        db.add(session)
    return session.id


def resolve_session(session_id: str | None) -> Actor | None:
    """The actor of a live session, refreshing its idle timer; None if unknown or lapsed."""
    try:
        sid = uuid.UUID(str(session_id))
    except ValueError:
        return None
    idle = get_settings().session_idle_minutes * 60
    with public_session() as db:
        row = db.execute(
            text("SELECT * FROM auth_session_resolve(:s, :i)"), {"s": sid, "i": idle}
        ).first()
    if row is None:
        return None
    return _actor_from_row(row, row.full_name or row.email)


def end_session(actor: Actor, session_id: str) -> None:
    """Sign out: this session, every other session and every bearer token of the actor end."""
    with tenant_session(actor) as db:
        session = db.get(UserSession, uuid.UUID(session_id))
        if session is None or session.revoked_at is not None:
            return
    end_credentials(actor)


def check_roles(tenant_kind: str, roles: list[str]) -> None:
    """Raises Invalid("roles", ...) unless `roles` are known roles that fit the kind of
    organisation, and at least one."""
    if not roles:
        raise Invalid("roles", "at least one role is needed")
    allowed = ROLES_BY_TENANT_KIND[TenantKind(tenant_kind)]
    for role in roles:
        if role not in {r.value for r in Role}:
            raise Invalid("roles", f"unknown role {role!r}")
        if Role(role) not in allowed:
            raise Invalid("roles", f"{role} does not fit a {tenant_kind} organisation")


def create_user(
    db: Session,
    actor: Actor,
    tenant: Tenant,
    email: str,
    full_name: str,
    roles: list[str],
    password: str | None,
    *,
    service_account: bool = False,
) -> User:
    """Create an account in `tenant`. Raises Invalid (bad e-mail, role, weak password) or
    Conflict (e-mail taken)."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise Invalid("email", "is not an e-mail address")
    check_roles(tenant.kind, roles)
    if password is not None and len(password) < MIN_PASSWORD:
        raise Invalid("password", f"must have at least {MIN_PASSWORD} characters")
    if password is not None and len(password) > MAX_PASSWORD:
        raise Invalid("password", f"must have at most {MAX_PASSWORD} characters")
    if db.execute(text("SELECT auth_email_taken(:e)"), {"e": email}).scalar_one():
        raise Conflict(f"An account with the e-mail {email} already exists")
    user = User(
        tenant_id=tenant.id,
        email=email,
        full_name=full_name.strip(),
        roles=sorted(roles),
        password_hash=hash_password(password) if password else None,
        is_service_account=service_account,
    )
    db.add(user)
    db.flush()
    audit.record(
        db,
        actor,
        "user.create",
        "user",
        user.id,
        f"account created with roles {', '.join(sorted(roles))}",
    )
    emit(db, actor, "UserCreated", "user", user.id, {"roles": sorted(roles)})
    return user


def list_users(db: Session, limit: int = 200) -> list[User]:
    """Accounts the actor may see: their tenant's, or all for the platform admin."""
    return list(db.exec(select(User).order_by(User.email).limit(limit)))
