"""One error model for every route:
`{"error": {"code", "message", "field", "requestId"}}` with 400/401/403/404/409/500."""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.uploads import too_large_message
from services.common.logs import request_id_var
from services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooManyAttempts,
    Unauthorized,
)

log = logging.getLogger("yantra.api")

STATUS = {
    Invalid: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    TooManyAttempts: 429,
}
CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict | None = None,
    request_id: str | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "code": code,
            "message": message,
            "field": field,
            "requestId": request_id or request_id_var.get(),
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _field_of(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or str(loc[-1] if loc else "")


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after)}
        return error_response(status, exc.code, exc.message, getattr(exc, "field", None), headers)

    @api.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":  # its location is a character offset
            return error_response(400, "invalid", "the request body is not valid JSON", "body")
        field = _field_of(tuple(first.get("loc", ())))
        return error_response(400, "invalid", f"{field}: {first.get('msg')}", field)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = str(exc.detail)
        if exc.status_code == 413:
            message = too_large_message(request.scope)
        return error_response(
            exc.status_code,
            CODES.get(exc.status_code, "error"),
            message,
            None,
            getattr(exc, "headers", None),
        )

    @api.exception_handler(DBAPIError)
    async def database_refused(request: Request, exc: DBAPIError):
        if not isinstance(exc.orig, psycopg.DataError):
            return await unexpected(request, exc)
        # A value the database cannot store (a NUL character, a number past its column):
        # the caller's input, so a 400, logged in case a limit is missing from the API.
        log.warning(
            "database refused a value on %s: %s", request.url.path, str(exc.orig).splitlines()[0]
        )
        return error_response(
            400,
            "invalid",
            "A value is malformed or out of range (text may not contain NUL characters)",
        )

    @api.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        request_id = getattr(request.state, "request_id", "")
        token = request_id_var.set(request_id)
        try:
            log.exception("unhandled error on %s", request.url.path)
        finally:
            request_id_var.reset(token)
        return error_response(
            500,
            "internal",
            "Something went wrong on our side; quote the request id when you report it.",
            headers={"x-request-id": request_id},
            request_id=request_id,
        )
