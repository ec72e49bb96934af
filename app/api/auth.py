"""Token issue and the caller's identity."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form

from app.api.deps import current_actor
from services.actor import Actor
from services.errors import Invalid
from services.identity.service import authenticate
from services.identity.tokens import issue_access_token

router = APIRouter(tags=["auth"])


@router.post("/auth/token", summary="Get a bearer token (OAuth2 password or client credentials)")
def token(
    grant_type: str = Form("password"),
    username: str | None = Form(None),
    password: str | None = Form(None),
    client_id: str | None = Form(None),
    client_secret: str | None = Form(None),
) -> dict:
    if grant_type == "password":
        if not username or not password:
            raise Invalid("username" if not username else "password", "is required")
        actor = authenticate(username, password)
    elif grant_type == "client_credentials":
        if not client_id or not client_secret:
            raise Invalid("client_id" if not client_id else "client_secret", "is required")
        actor = authenticate(client_id, client_secret, service_account=True)
    else:
        raise Invalid("grant_type", "must be 'password' or 'client_credentials'")
    access_token, expires_in = issue_access_token(actor)
    return {"access_token": access_token, "token_type": "bearer", "expires_in": expires_in}


@router.get("/me", summary="Who the token speaks for")
def me(actor: Actor = Depends(current_actor)) -> dict:
    return {
        "userId": str(actor.user_id), "tenantId": str(actor.tenant_id),
        "tenantKind": actor.tenant_kind.value, "roles": sorted(r.value for r in actor.roles),
    }
