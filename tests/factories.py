"""Fresh organisations and accounts per test, so tests never depend on each other."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import select

from services.actor import Actor, Role, TenantKind
from services.db import tenant_session
from services.identity.models import User
from services.tenancy.models import Tenant
from services.tenancy.service import create_tenant

PASSWORD = "correct-horse-battery"


def platform_admin() -> Actor:
    from services.db import system_session
    with system_session() as db:
        platform = db.exec(select(Tenant).where(Tenant.kind == "platform")).one()
    return Actor(None, platform.id, TenantKind.PLATFORM, frozenset({Role.PLATFORM_ADMIN}),
                 "test-admin")


@dataclass
class Org:
    tenant: Tenant
    actor: Actor
    email: str


def make_org(kind: TenantKind, role: Role, name: str | None = None) -> Org:
    """A new organisation with one account holding `role`; `actor` acts as that account."""
    from services.identity.service import create_user

    admin = platform_admin()
    tag = uuid.uuid4().hex[:8]
    with tenant_session(admin) as db:
        tenant = create_tenant(db, admin, name or f"Test {kind.value} {tag}", kind.value)
        email = f"{role.value}.{tag}@test.yantra.in"
        create_user(db, admin, tenant, email, f"Test {role.value}", [role.value], PASSWORD)
    with tenant_session(admin) as db:
        user = db.exec(select(User).where(User.email == email)).one()
    actor = Actor(user.id, tenant.id, kind, frozenset({role}), email)
    return Org(tenant, actor, email)
