"""Browser sign-in and sign-out. The session lives in a cookie only the server sets and
reads (HttpOnly, SameSite=Strict, Secure over HTTPS): page scripts never see it, and the
Reflex state reads it from the headers of the page's websocket."""

from __future__ import annotations

import re

from fastapi import APIRouter, Form, Request, Response

from app.api.auth import client_address
from app.api.deps import SESSION_COOKIE
from services.errors import Forbidden, Unauthorized
from services.identity import service as identity
from services.identity.passwords import MAX_PASSWORD
from services.identity.tokens import issue_access_token

router = APIRouter(tags=["auth"])
# Only a path of this site: never `//elsewhere`, `/\elsewhere` or a scheme.
_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\s]{0,500}$")


def _check_origin(request: Request) -> None:
    """Refuse sign-in forms posted from another site (login CSRF)."""
    origin = request.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != request.headers.get("host", ""):
        raise Forbidden("Sign in from Yantra's own sign-in page")


def set_session_cookie(response: Response, request: Request, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.post(
    "/auth/session",
    summary="Sign in from the browser: sets the session cookie",
    responses={
        400: {"description": "E-mail or password missing"},
        401: {"description": "Wrong e-mail or password"},
        403: {"description": "Posted from another site"},
        429: {
            "description": "Too many failed sign-ins from this account "
            "or address: wait `Retry-After` seconds"
        },
    },
)
def sign_in(
    request: Request,
    response: Response,
    email: str = Form(..., min_length=1, max_length=254),
    password: str = Form(..., min_length=1, max_length=MAX_PASSWORD),
    next: str = Form("/", max_length=500),
) -> dict:  # noqa: A002
    """Checks the password, opens a browser session and answers with the page to open.
    The session id travels only in the Set-Cookie header."""
    _check_origin(request)
    # Failed sign-ins count per account and per address, as on the token route.
    actor = identity.authenticate(email, password, client_address=client_address(request))
    set_session_cookie(response, request, str(identity.start_session(actor)))
    return {"next": next if _LOCAL_PATH.match(next) else "/"}


@router.delete(
    "/auth/session",
    status_code=204,
    summary="Sign out: ends the browser session",
    responses={403: {"description": "Sent from another site"}},
)
def sign_out(request: Request) -> Response:
    """Ends the session named by the cookie (if it is still live) and clears the cookie."""
    _check_origin(request)
    session_id = request.cookies.get(SESSION_COOKIE, "")
    actor = identity.resolve_session(session_id) if session_id else None
    if actor is not None:
        identity.end_session(actor, session_id)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post(
    "/auth/session/token",
    summary="A short-lived bearer token for the signed-in browser (the field app's API calls)",
    responses={
        401: {"description": "No live browser session: sign in first"},
        403: {"description": "Sent from another site"},
    },
)
def session_token(request: Request) -> dict:
    """Exchanges the session cookie for a bearer token, so a page script (the phone app)
    can call the API without ever seeing the session id. Same-site only: the cookie is
    SameSite=Strict and the origin is checked."""
    _check_origin(request)
    session_id = request.cookies.get(SESSION_COOKIE, "")
    actor = identity.resolve_session(session_id) if session_id else None
    if actor is None:
        raise Unauthorized("Sign in first: the browser session has ended")
    access_token, expires_in = issue_access_token(actor)
    return {"access_token": access_token, "token_type": "bearer", "expires_in": expires_in}
