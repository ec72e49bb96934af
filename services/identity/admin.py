"""What an admin does to the accounts of an organisation: invite, change roles, disable and
enable, and hand out a password-reset link; and what the person at the other end of a
link does with it.

A platform admin manages every organisation; an organisation's admin only their own
(row-level security hides other organisations' accounts, and the `identity_*` database
functions check the caller again). No change may leave an organisation that has an admin
without an active one. Every change is written to the audit trail.

No mail is sent: a link's secret is returned once, to be shown to the admin, and only its
SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, func, select

from services.actor import Actor, Role
from services.audit import service as audit
from services.common.roles import ADMINS
from services.db import public_session
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.identity.credentials import forget, set_user_active
from services.identity.models import User
from services.identity.passwords import MAX_PASSWORD, hash_password
from services.identity.service import MIN_PASSWORD, check_roles, create_user
from services.tenancy.models import Tenant

INVITE_SECONDS = 7 * 24 * 3600
RESET_SECONDS = 24 * 3600
LINK_PATH = "/account/password/"
ADMIN_ROLES = frozenset({Role.PLATFORM_ADMIN.value, Role.BUYER_ADMIN.value, Role.OEM_ADMIN.value})
LAST_ADMIN = "This is the organisation's last active admin: make another account admin first"
GONE = "This link has been used, has expired or was replaced by a newer one; ask your admin"


@dataclass(frozen=True)
class IssuedLink:
    """A one-time link: `path` carries the secret and is shown to the admin once."""

    user: User
    purpose: str  # invite or reset
    path: str
    expires_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(db: Session, user: User, purpose: str, seconds: int) -> IssuedLink:
    secret = secrets.token_urlsafe(32)
    expires = db.execute(
        text("SELECT identity_issue_link(:u, :p, :h, :s)"),
        {"u": user.id, "p": purpose, "h": _digest(secret), "s": seconds},
    ).scalar_one()
    return IssuedLink(user, purpose, LINK_PATH + secret, expires)


def account(db: Session, actor: Actor, user_id: uuid.UUID) -> User:
    """An account the admin may manage. Raises Forbidden (not an admin) or NotFound (no
    such account, or one of another organisation)."""
    actor.require(*ADMINS)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such account in your organisation")
    return user


def _keep_an_admin(db: Session, user: User, active: bool, roles: list[str]) -> None:
    """Refuse (Conflict) a change that leaves the user's organisation without an active
    admin. The database checks it again under a lock, for two admins acting at once."""
    if not (user.is_active and ADMIN_ROLES & set(user.roles)):
        return
    if active and ADMIN_ROLES & set(roles):
        return
    others = db.exec(
        select(func.count())
        .select_from(User)
        .where(
            User.tenant_id == user.tenant_id,
            User.id != user.id,
            User.is_active,
            User.roles.op("&&")(sorted(ADMIN_ROLES)),
        )
    ).one()
    if not others:
        raise Conflict(LAST_ADMIN)


def _guarded_sql(call):
    try:
        return call()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", "") == "P0001":
            raise Conflict(LAST_ADMIN) from exc
        raise


def invite_user(
    db: Session, actor: Actor, tenant_id: uuid.UUID, email: str, full_name: str, roles: list[str]
) -> IssuedLink:
    """Create an account without a password in `tenant_id` and an invitation link (valid
    seven days) that lets its owner set one. Raises Forbidden (not an admin, or another
    organisation for an organisation's admin), NotFound, Invalid or Conflict (e-mail taken)."""
    actor.require(*ADMINS)
    if Role.PLATFORM_ADMIN not in actor.roles and tenant_id != actor.tenant_id:
        raise Forbidden("An organisation's admin invites people to their own organisation only")
    tenant = db.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("No such organisation")
    user = create_user(db, actor, tenant, email, full_name, list(roles), None)
    link = _issue(db, user, "invite", INVITE_SECONDS)
    audit.record(
        db,
        actor,
        "user.invite",
        "user",
        user.id,
        f"invited {user.email} as {', '.join(user.roles)}; link valid 7 days",
    )
    return link


def change_roles(db: Session, actor: Actor, user_id: uuid.UUID, roles: list[str]) -> User:
    """Give an account exactly `roles`. Its bearer tokens end (pages see the new roles at
    once). Raises Forbidden, NotFound, Invalid (a role that does not fit the organisation)
    or Conflict (it would remove the organisation's last admin)."""
    user = account(db, actor, user_id)
    roles = sorted(set(roles))
    kind = db.execute(
        text("SELECT kind FROM tenant_directory() WHERE id = :t"), {"t": user.tenant_id}
    ).scalar_one()
    check_roles(kind, roles)
    if roles == sorted(user.roles):
        return user
    _keep_an_admin(db, user, user.is_active, roles)
    before = ", ".join(user.roles)
    _guarded_sql(
        lambda: db.execute(text("SELECT identity_set_roles(:u, :r)"), {"u": user.id, "r": roles})
    )
    audit.record(
        db,
        actor,
        "user.roles",
        "user",
        user.id,
        f"roles changed from {before} to {', '.join(roles)}",
    )
    db.refresh(user)
    forget(user.id)
    return user


def set_active(db: Session, actor: Actor, user_id: uuid.UUID, active: bool) -> User:
    """Disable (its sessions, tokens and open links end at once) or enable an account.
    Raises Forbidden, NotFound or Conflict (the organisation's last active admin)."""
    user = account(db, actor, user_id)
    _keep_an_admin(db, user, active, list(user.roles))
    return _guarded_sql(lambda: set_user_active(db, actor, user.id, active))


def reset_password(db: Session, actor: Actor, user_id: uuid.UUID) -> IssuedLink:
    """A one-time link (valid a day) with which the account's owner sets a new password;
    an older link of the account ends. Raises Forbidden, NotFound or Conflict (a disabled
    account: enable it first)."""
    user = account(db, actor, user_id)
    if not user.is_active:
        raise Conflict("The account is disabled: enable it before resetting its password")
    if user.is_service_account:
        raise Conflict("A service account's secret is not reset by link")
    link = _issue(db, user, "reset", RESET_SECONDS)
    audit.record(
        db, actor, "user.reset_link", "user", user.id, "password-reset link issued; valid 24 hours"
    )
    return link


def link_details(secret: str) -> dict[str, str] | None:
    """Whom a live link is for ({purpose, email, fullName, organisation, expiresAt}), or
    None when it is unknown, used, expired or its account disabled."""
    if not secret or len(secret) > 100:
        return None
    with public_session() as db:
        row = db.execute(
            text("SELECT * FROM identity_link_lookup(:h)"), {"h": _digest(secret)}
        ).first()
    if row is None:
        return None
    return {
        "purpose": row.purpose,
        "email": row.email,
        "fullName": row.full_name,
        "organisation": row.organisation,
        "expiresAt": row.expires_at.isoformat(),
    }


def redeem_link(secret: str, password: str) -> uuid.UUID:
    """Set the account's password through a live link, once. Its sessions and tokens end
    and a sign-in lock clears. Returns the account's id. Raises Invalid (password too
    short or long) or NotFound (the link is used, expired, replaced or unknown)."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise Invalid("password", f"must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise Invalid("password", f"must have at most {MAX_PASSWORD} characters")
    if not secret or len(secret) > 100:
        raise NotFound(GONE)
    hashed = hash_password(password)
    with public_session() as db:
        user_id = db.execute(
            text("SELECT identity_redeem_link(:h, :p)"), {"h": _digest(secret), "p": hashed}
        ).scalar_one()
    if user_id is None:
        raise NotFound(GONE)
    forget(user_id)
    return user_id
