"""Platform administration: organisations, accounts, the audit trail, the outbox."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from app.api.contract import page_limit, page_offset
from app.api.deps import require_roles
from services.actor import Actor, Role
from services.audit import search
from services.audit import service as audit
from services.common.roles import ADMINS
from services.db import system_session, tenant_session
from services.errors import Invalid, NotFound
from services.events.service import backlog
from services.identity import admin as accounts
from services.identity.service import create_user, list_users
from services.tenancy.models import Tenant
from services.tenancy.service import create_tenant, directory, list_tenants

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


class Invitation(BaseModel):
    email: str = Field(max_length=254)
    fullName: str = Field(default="", max_length=200)
    roles: list[str] = Field(min_length=1, max_length=10)


def _link_json(request: Request, link: accounts.IssuedLink) -> dict:
    return {
        "userId": str(link.user.id),
        "email": link.user.email,
        "roles": link.user.roles,
        "purpose": link.purpose,
        "link": str(request.base_url).rstrip("/") + link.path,
        "expiresAt": link.expires_at.isoformat(),
    }


@router.post(
    "/tenants/{tenant_id}/invitations",
    status_code=201,
    summary="Invite a person: an account without a password and a one-time link to set it",
    description="No mail is sent: show `link` to the person (valid 7 days, once). "
    "An organisation's admin invites to their own organisation only.",
)
def invite(
    tenant_id: uuid.UUID,
    body: Invitation,
    request: Request,
    actor: Actor = Depends(require_roles(*ADMINS)),
) -> dict:
    with tenant_session(actor) as db:
        link = accounts.invite_user(db, actor, tenant_id, body.email, body.fullName, body.roles)
        return _link_json(request, link)


class AccountChange(BaseModel):
    isActive: bool | None = None
    roles: list[str] | None = Field(default=None, min_length=1, max_length=10)


def _user_json(u) -> dict:
    return {"id": str(u.id), "email": u.email, "roles": u.roles, "isActive": u.is_active}


@router.patch(
    "/users/{user_id}",
    summary="Change an account's roles, or disable or enable it",
    description="Disabling ends the account's browser sessions, bearer tokens and open "
    "links at once; changing roles ends its tokens. The last active admin of an "
    "organisation can be neither disabled nor stripped of the admin role (409).",
    responses={
        403: {"description": "Not an admin"},
        404: {"description": "No such account in the caller's organisation"},
        409: {"description": "It would leave the organisation without an active admin"},
    },
)
def change_user(
    user_id: uuid.UUID, body: AccountChange, actor: Actor = Depends(require_roles(*ADMINS))
) -> dict:
    if body.isActive is None and body.roles is None:
        raise Invalid("isActive", "send isActive or roles")
    with tenant_session(actor) as db:
        if body.roles is not None:
            accounts.change_roles(db, actor, user_id, body.roles)
        if body.isActive is not None:
            accounts.set_active(db, actor, user_id, body.isActive)
        user = accounts.account(db, actor, user_id)
        return _user_json(user)


@router.post(
    "/users/{user_id}/password-reset",
    status_code=201,
    summary="A one-time link with which the account's owner sets a new password",
    description="No mail is sent: show `link` to the person (valid 24 hours, once); an "
    "older link of the account ends.",
)
def password_reset(
    user_id: uuid.UUID, request: Request, actor: Actor = Depends(require_roles(*ADMINS))
) -> dict:
    with tenant_session(actor) as db:
        return _link_json(request, accounts.reset_password(db, actor, user_id))


def _audit_filter(
    tenantId: uuid.UUID | None = Query(None, description="organisation"),  # noqa: N803
    userId: uuid.UUID | None = Query(None, description="who acted"),  # noqa: N803
    action: str | None = Query(None, max_length=80, description="'user' finds every user.*"),
    since: date | None = Query(None, alias="from", description="first India date, inclusive"),
    until: date | None = Query(None, alias="to", description="last India date, inclusive"),
) -> search.AuditFilter:
    found = search.AuditFilter(tenantId, userId, action or None, since, until)
    found.check()
    return found


@router.get("/audit", summary="Audit entries the caller may see, newest first, filtered")
def audit_entries(
    limit: int = page_limit(50, 500),
    offset: int = page_offset(),
    found: search.AuditFilter = Depends(_audit_filter),
    actor: Actor = Depends(require_roles(*ADMINS)),
) -> dict:
    with tenant_session(actor) as db:
        rows, total = search.search(db, found, limit, offset)
    return {
        "total": total,
        "entries": [
            {
                "seq": e.seq,
                "at": e.created_at.isoformat(),
                "tenantId": str(e.tenant_id) if e.tenant_id else None,
                "actorId": str(e.actor_id) if e.actor_id else None,
                "actor": e.actor_label,
                "action": e.action,
                "entity": e.entity,
                "entityId": e.entity_id,
                "summary": e.summary,
            }
            for e in rows
        ],
    }


@router.get(
    "/audit/export.csv",
    summary="The filtered audit entries as CSV (times in IST, at most 50,000)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def audit_csv(
    found: search.AuditFilter = Depends(_audit_filter),
    actor: Actor = Depends(require_roles(*ADMINS)),
) -> Response:
    with tenant_session(actor) as db:
        names = {k: v[0] for k, v in directory(db).items()}
        body = search.to_csv(db, found, names)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


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
