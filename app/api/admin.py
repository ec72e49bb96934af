"""Platform administration: organisations, accounts, the audit trail, the outbox."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.contract import page_limit, page_offset
from app.api.deps import require_roles
from services.actor import Actor, Role
from services.audit import service as audit
from services.common.roles import ADMINS
from services.db import system_session, tenant_session
from services.errors import NotFound
from services.events.service import backlog
from services.identity.credentials import set_user_active
from services.identity.service import create_user, list_users
from services.tenancy.models import Tenant
from services.tenancy.service import create_tenant, list_tenants

router = APIRouter(tags=["admin"])


class NewTenant(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=40)
    state: str | None = Field(None, max_length=80)


class NewUser(BaseModel):
    email: str = Field(max_length=254)
    fullName: str = Field(default="", max_length=200)
    roles: list[str] = Field(min_length=1, max_length=10)
    password: str | None = Field(default=None, max_length=200)
    serviceAccount: bool = False


def _tenant_json(t: Tenant) -> dict:
    return {"id": str(t.id), "name": t.name, "kind": t.kind, "state": t.state}


@router.get("/tenants", summary="Organisations (all for the platform admin)")
def tenants(actor: Actor = Depends(require_roles(*ADMINS))) -> dict:
    with tenant_session(actor) as db:
        return {"tenants": [_tenant_json(t) for t in list_tenants(db)]}


@router.post("/tenants", status_code=201, summary="Create an organisation")
def new_tenant(body: NewTenant, actor: Actor = Depends(require_roles(Role.PLATFORM_ADMIN))) -> dict:
    with tenant_session(actor) as db:
        return _tenant_json(create_tenant(db, actor, body.name, body.kind, body.state))


@router.post("/tenants/{tenant_id}/users", status_code=201, summary="Create an account")
def new_user(
    tenant_id: uuid.UUID, body: NewUser, actor: Actor = Depends(require_roles(*ADMINS))
) -> dict:
    with tenant_session(actor) as db:
        tenant = db.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("No such organisation")
        user = create_user(
            db,
            actor,
            tenant,
            body.email,
            body.fullName,
            body.roles,
            body.password,
            service_account=body.serviceAccount,
        )
        return {"id": str(user.id), "email": user.email, "roles": user.roles}


@router.get("/users", summary="Accounts of the caller's organisation (all for the platform)")
def users(actor: Actor = Depends(require_roles(*ADMINS))) -> dict:
    with tenant_session(actor) as db:
        return {
            "users": [
                {
                    "id": str(u.id),
                    "email": u.email,
                    "fullName": u.full_name,
                    "tenantId": str(u.tenant_id),
                    "roles": u.roles,
                    "isActive": u.is_active,
                }
                for u in list_users(db)
            ]
        }


class AccountChange(BaseModel):
    isActive: bool


@router.patch(
    "/users/{user_id}",
    summary="Enable or disable an account",
    description="Disabling ends the account's bearer tokens and browser sessions "
    "(within a minute in every process).",
    responses={
        403: {"description": "Not an admin"},
        404: {"description": "No such account in the caller's organisation"},
    },
)
def change_user(
    user_id: uuid.UUID, body: AccountChange, actor: Actor = Depends(require_roles(*ADMINS))
) -> dict:
    with tenant_session(actor) as db:
        u = set_user_active(db, actor, user_id, body.isActive)
        return {"id": str(u.id), "email": u.email, "isActive": u.is_active}


@router.get("/audit", summary="Newest audit entries the caller may see")
def audit_entries(
    limit: int = page_limit(50, 500),
    offset: int = page_offset(),
    actor: Actor = Depends(require_roles(*ADMINS)),
) -> dict:
    with tenant_session(actor) as db:
        rows = audit.recent(db, limit, offset)
    return {
        "entries": [
            {
                "seq": e.seq,
                "at": e.created_at.isoformat(),
                "actor": e.actor_label,
                "action": e.action,
                "entity": e.entity,
                "entityId": e.entity_id,
                "summary": e.summary,
            }
            for e in rows
        ]
    }


@router.get("/audit/verify", summary="Walk the hash chain and report the first tampered entry")
def audit_verify(actor: Actor = Depends(require_roles(Role.PLATFORM_ADMIN))) -> dict:
    with system_session() as db:
        report = audit.verify_chain(db)
    return {
        "intact": report.is_intact,
        "checked": report.checked,
        "firstBadSeq": report.first_bad_seq,
        "reason": report.reason,
    }


@router.get("/events/backlog", summary="Outbox backlog and delivery states")
def events_backlog(actor: Actor = Depends(require_roles(Role.PLATFORM_ADMIN))) -> dict:
    with system_session() as db:
        return backlog(db)
