"""Authentication and role checks for routes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from services.actor import Actor, Role
from services.common.logs import actor_var
from services.errors import Unauthorized
from services.identity.service import resolve_session
from services.identity.tokens import verify_access_token, verify_access_token_async

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


SESSION_COOKIE = "yantra_session"
SIGN_IN_FIRST = "Sign in first: send 'Authorization: Bearer <token>'"


def download_actor(request: Request, token: str | None = Depends(oauth2)) -> Actor:
    """For files linked from the app's pages (kits, error reports): a bearer token or the
    signed-in browser session. Only GET routes use it, so no cross-site request can change
    anything."""
    if not token and request.method == "GET" and request.cookies.get(SESSION_COOKIE):
        actor = resolve_session(request.cookies[SESSION_COOKIE])
        if actor is not None:
            request.state.actor = actor
            return actor
    return _bearer_actor(request, token)


async def current_actor(request: Request, token: str | None = Depends(oauth2)) -> Actor:
    """The caller of the route; 401 without a valid, unended bearer token. Async: the
    signature needs no I/O, and the account (disabled? signed out?) is looked up in a
    worker thread only when this process has not checked it in the last few seconds."""
    if not token:
        raise Unauthorized(SIGN_IN_FIRST)
    return _remember(request, await verify_access_token_async(token))


def _bearer_actor(request: Request, token: str | None) -> Actor:
    if not token:
        raise Unauthorized(SIGN_IN_FIRST)
    return _remember(request, verify_access_token(token))


def _remember(request: Request, actor: Actor) -> Actor:
    actor_var.set(f"{actor.user_id}@{actor.tenant_id}")
    request.state.actor = actor
    return actor


def require_roles(*roles: Role) -> Callable[..., Actor]:
    """A dependency that answers 403 unless the caller holds one of `roles`."""

    async def check(actor: Actor = Depends(current_actor)) -> Actor:
        actor.require(*roles)
        return actor

    return check
