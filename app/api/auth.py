"""Token issue, sign-out and the caller's identity."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Form, Path, Request, Response
from pydantic import BaseModel
from pydantic import Field as PydanticField

from app.api.deps import current_actor
from services.actor import Actor
from services.db import tenant_session
from services.errors import Forbidden, Invalid, NotFound
from services.identity import admin as accounts
from services.identity.credentials import end_credentials
from services.identity.passwords import MAX_PASSWORD
from services.identity.phones import get_phone, set_phone
from services.identity.service import authenticate
from services.identity.tokens import issue_access_token

router = APIRouter(tags=["auth"])
THROTTLED = {
    429: {
        "description": "Too many failed sign-ins from this account or address "
        "(or too many at once): wait `Retry-After` seconds"
    }
}


def client_address(request: Request) -> str | None:
    """The caller's address as the server saw it (behind a proxy, the one it forwarded)."""
    return request.client.host if request.client else None


@router.post(
    "/auth/token",
    responses=THROTTLED,
    summary="Get a bearer token (OAuth2 password or client credentials)",
    description="Failed sign-ins are counted per account and per client address: "
    "after too many in 15 minutes, sign-in is refused with 429 and "
    "`Retry-After` (seconds), for longer each time it happens.",
)
def token(
    request: Request,
    grant_type: str = Form("password", max_length=40),
    username: str | None = Form(None, max_length=254),
    password: str | None = Form(None, max_length=MAX_PASSWORD),
    client_id: str | None = Form(None, max_length=254),
    client_secret: str | None = Form(None, max_length=MAX_PASSWORD),
) -> dict:
    address = client_address(request)
    if grant_type == "password":
        if not username or not password:
            raise Invalid("username" if not username else "password", "is required")
        actor = authenticate(username, password, address)
    elif grant_type == "client_credentials":
        if not client_id or not client_secret:
            raise Invalid("client_id" if not client_id else "client_secret", "is required")
        actor = authenticate(client_id, client_secret, address, service_account=True)
    else:
        raise Invalid("grant_type", "must be 'password' or 'client_credentials'")
    access_token, expires_in = issue_access_token(actor)
    return {"access_token": access_token, "token_type": "bearer", "expires_in": expires_in}


@router.post(
    "/auth/logout",
    status_code=204,
    summary="Sign out everywhere: every token and browser session of the caller ends",
)
def logout(actor: Actor = Depends(current_actor)) -> Response:
    end_credentials(actor)
    return Response(status_code=204)


@router.get("/me", summary="Who the token speaks for")
def me(actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        phone = get_phone(db, actor)
    return {
        "userId": str(actor.user_id),
        "tenantId": str(actor.tenant_id),
        "tenantKind": actor.tenant_kind.value,
        "roles": sorted(r.value for r in actor.roles),
        "phone": phone,
    }


class MeChange(BaseModel):
    phone: str | None = PydanticField(
        None, max_length=30, description="WhatsApp number, e.g. +91 98765 43210; empty clears it"
    )


@router.patch(
    "/me",
    summary="Change your own profile: the WhatsApp number the service desk answers",
    responses={400: {"description": "Not a phone number"}, 409: {"description": "Taken"}},
)
def change_me(change: MeChange = Body(...), actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        if "phone" in change.model_fields_set:
            set_phone(db, actor, change.phone)
    return me(actor)


@router.get(
    "/auth/links/{secret}",
    summary="Whom a one-time invitation or password-reset link is for",
    responses={404: {"description": "The link is used, expired, replaced or unknown"}},
)
def link(secret: str = Path(max_length=100)) -> dict:
    details = accounts.link_details(secret)
    if details is None:
        raise NotFound(accounts.GONE)
    return details


@router.post(
    "/auth/links/{secret}",
    status_code=204,
    responses={
        400: {"description": "The password is too short or too long"},
        403: {"description": "Posted from another site"},
        404: {"description": "The link is used, expired, replaced or unknown"},
    },
    summary="Set the password through a one-time link (the link then ends)",
    description="The account's browser sessions and tokens end; sign in with the new password.",
)
def redeem(
    request: Request,
    secret: str = Path(max_length=100),
    password: str = Form(..., min_length=1, max_length=MAX_PASSWORD),
    confirm: str | None = Form(None, max_length=MAX_PASSWORD),
) -> Response:
    origin = request.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != request.headers.get("host", ""):
        raise Forbidden("Set the password from Yantra's own page")
    if confirm is not None and confirm != password:
        raise Invalid("confirm", "the two passwords differ")
    accounts.redeem_link(secret, password)
    return Response(status_code=204)
