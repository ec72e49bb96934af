"""Organisations and the grants that share their rows with others."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, Role, TenantKind
from services.audit import service as audit
from services.errors import Invalid, NotFound
from services.events.service import emit
from services.tenancy.models import AccessGrant, Tenant

GRANTABLE = ("rfq", "equipment", "facility")


def create_tenant(
    db: Session, actor: Actor, name: str, kind: str, state: str | None = None
) -> Tenant:
    """Create an organisation (platform admins only). Raises Forbidden or Invalid."""
    actor.require(Role.PLATFORM_ADMIN)
    if not name.strip():
        raise Invalid("name", "is required")
    if kind not in {k.value for k in TenantKind}:
        raise Invalid("kind", f"must be one of {', '.join(k.value for k in TenantKind)}")
    tenant = Tenant(name=name.strip(), kind=kind, state=state)
    db.add(tenant)
    db.flush()
    audit.record(db, actor, "tenant.create", "tenant", tenant.id, f"{kind} organisation created")
    emit(db, actor, "TenantCreated", "tenant", tenant.id, {"kind": kind})
    return tenant


def grant_access(
    db: Session,
    actor: Actor,
    grantee_tenant_id: uuid.UUID,
    entity_type: str,
    entity_id: uuid.UUID | None = None,
) -> AccessGrant:
    """Let another organisation read the actor's `entity_type` rows (one, or all when
    `entity_id` is None). Raises Invalid for an unknown type or grantee."""
    if entity_type not in GRANTABLE:
        raise Invalid("entityType", f"must be one of {', '.join(GRANTABLE)}")
    if grantee_tenant_id == actor.tenant_id:
        raise Invalid("granteeTenantId", "is your own organisation")
    known = db.execute(
        text("SELECT 1 FROM tenant_directory() WHERE id = :i"), {"i": grantee_tenant_id}
    ).first()
    if not known:
        raise NotFound("No such organisation")
    grant = AccessGrant(
        tenant_id=actor.tenant_id,
        grantee_tenant_id=grantee_tenant_id,
        entity_type=entity_type,
        entity_id=entity_id,
        created_by=actor.user_id,
    )
    db.add(grant)
    db.flush()
    audit.record(
        db,
        actor,
        "grant.create",
        entity_type,
        entity_id or "*",
        f"read access granted to organisation {grantee_tenant_id}",
    )
    emit(
        db,
        actor,
        "AccessGranted",
        entity_type,
        entity_id or "*",
        {"grantee": str(grantee_tenant_id)},
    )
    return grant


def directory(db: Session) -> dict[uuid.UUID, tuple[str, str]]:
    """Names and kinds of all organisations, for display."""
    rows = db.execute(text("SELECT id, name, kind FROM tenant_directory()")).all()
    return {row.id: (row.name, row.kind) for row in rows}


def list_tenants(db: Session) -> list[Tenant]:
    """Organisations the actor may manage: all for the platform, else its own."""
    return list(db.exec(select(Tenant).order_by(Tenant.name)))
