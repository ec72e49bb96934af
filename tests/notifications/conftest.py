"""The people of a small market and a service partner, each with a few colleagues, and the
outbox relay run the way the Celery beat runs it."""

from __future__ import annotations

import uuid

from sqlmodel import select

from services.actor import Actor, Role
from services.db import tenant_session
from services.identity.models import User
from services.identity.service import create_user
from services.notifications.service import inbox
from services.tenancy.models import Tenant
from tests.factories import PASSWORD, Org, platform_admin
from tests.outbox import relay  # noqa: F401  (the notification tests' relay)


def colleague(org: Org, role: Role, name: str = "") -> Actor:
    """Another account in `org` holding `role`; the actor acts as it."""
    admin = platform_admin()
    email = f"{role.value}.{uuid.uuid4().hex[:8]}@test.yantra.in"
    with tenant_session(admin) as db:
        create_user(
            db,
            admin,
            db.get(Tenant, org.tenant.id),
            email,
            name or f"Test {role.value}",
            [role.value],
            PASSWORD,
        )
    with tenant_session(admin) as db:
        user = db.exec(select(User).where(User.email == email)).one()
    return Actor(user.id, org.tenant.id, org.actor.tenant_kind, frozenset({role}), email)


def notices(actor: Actor, unread_only: bool = False) -> list[dict]:
    """The actor's notices, newest first, as their bell lists them."""
    with tenant_session(actor) as db:
        return inbox(db, actor, limit=100, unread_only=unread_only)[0]


def titles(actor: Actor) -> list[str]:
    return [n["title"] for n in notices(actor)]
