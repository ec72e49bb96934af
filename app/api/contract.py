"""The API's contract, kept in one place: the error answers every operation documents, the
paging parameters every list route shares, and `405` with `Allow` for a wrong method.

Errors are documented from what an operation takes, so a new route is covered the day it
is added: any input can be refused (400), a token can be missing (401) or not enough (403),
what it names can be gone (404), a change can collide with the current state (409), an
upload can be too large (413), and the token grant is throttled (429). Validation errors
answer 400 like every other bad input (app/api/errors.py), so FastAPI's 422 is not listed.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field, WithJsonSchema
from starlette.routing import compile_path

from app.api.errors import error_response

MAX_OFFSET = 1_000_000
MAX_CURSOR = 200
TOKEN_PATH = "/api/v1/auth/token"
WRITES = {"post", "put", "patch", "delete"}


class ErrorDetail(BaseModel):
    code: str = Field(
        description="invalid, unauthorized, forbidden, not_found, conflict, "
        "too_large, too_many_requests, method_not_allowed, internal"
    )
    message: str = Field(description="what went wrong, in words a user can act on")
    field: str | None = Field(None, description="the input to fix, when one is to blame")
    requestId: str = Field(description="quote it when reporting a problem")  # noqa: N815


class ErrorBody(BaseModel):
    """Every error answer of the API has this shape."""

    error: ErrorDetail


def decimal_between(low: int, high: int, description: str) -> Any:
    """A decimal from `low` to `high`, sent as a JSON number (a numeric string is read
    too). Documented as a plain number: Pydantic's own decimal pattern is not one a client
    or a generator can read."""
    return Annotated[
        Decimal,
        Field(ge=low, le=high),
        WithJsonSchema(
            {"type": "number", "minimum": low, "maximum": high, "description": description}
        ),
    ]


Percent = decimal_between(0, 100, "per cent, 0 to 100")
GstPercent = decimal_between(0, 28, "GST per cent, 0 to 28")
GstSlab = Annotated[
    Decimal,
    WithJsonSchema(
        {"type": "number", "enum": [0, 5, 12, 18, 28], "description": "a GST slab, per cent"}
    ),
]


def page_limit(default: int, maximum: int) -> Any:
    """The page size of a list route: 1 to `maximum`."""
    return Query(default, ge=1, le=maximum, description=f"page size, 1 to {maximum}")


def page_offset() -> Any:
    """How many rows to skip: 0 to MAX_OFFSET (deeper pages are a search, not a scroll)."""
    return Query(0, ge=0, le=MAX_OFFSET, description=f"rows to skip, 0 to {MAX_OFFSET:,}")


def page_cursor(description: str = "the cursor of the previous page's last row") -> Any:
    """An opaque cursor returned by the previous page."""
    return Query(None, max_length=MAX_CURSOR, description=description)


_WHY = {
    "400": "The request is invalid: `error.field` names the input to fix",
    "401": "No valid bearer token: sign in first",
    "403": "Your roles or organisation do not allow this",
    "404": "Not found, or not visible to your organisation",
    "409": "Conflicts with the current state (a duplicate, or a step out of order)",
    "413": "The upload is over its size limit",
    "429": "Too many failed attempts: wait for `Retry-After` seconds",
}


def _error_statuses(path: str, method: str, operation: dict) -> list[str]:
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    statuses = ["400"] if takes_input else []
    if operation.get("security"):
        statuses += ["401", "403", "404"]
        if method in WRITES:
            statuses.append("409")
    content = (operation.get("requestBody") or {}).get("content", {})
    if "multipart/form-data" in content:
        statuses.append("413")
    if path == TOKEN_PATH:
        statuses += ["401", "429"]
    return statuses


def _error_response(status: str, path: str) -> dict:
    why = "Wrong credentials" if status == "401" and path == TOKEN_PATH else _WHY[status]
    answer = {
        "description": why,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    if status == "401":
        answer["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    if status == "429":
        answer["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
    return answer


def document_errors(spec: dict) -> dict:
    """The spec with each operation's error answers and without FastAPI's unused 422."""
    spec = copy.deepcopy(spec)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in (
        ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        .get("$defs", {})
        .items()
    ):
        schemas[name] = schema
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    body.pop("$defs", None)
    schemas["ErrorBody"] = body
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status in _error_statuses(path, method, operation):
                documented = responses.setdefault(status, {})  # a route's own words stay
                for key, value in _error_response(status, path).items():
                    documented.setdefault(key, value)
    return spec


def _routes(api: FastAPI) -> list[tuple[str, set[str]]]:
    """(path template, methods) of every HTTP route, those of included routers too."""
    return [
        (route.path, route.methods)
        for route in iter_route_contexts(api.router.routes)
        if route.methods and route.path
    ]


@lru_cache(maxsize=1024)
def _pattern(template: str) -> re.Pattern:
    return compile_path(template)[0]


class ApiFallbackMiddleware:
    """Answers a /api/ request that no API route takes, before the Reflex app mounted behind
    the API can: a wrong method gets 405 with `Allow`, an unknown path a JSON 404. It reads
    the routes at request time, so routes added after start-up count too."""

    def __init__(self, app, api: FastAPI):
        self.app = app
        self.api = api

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        allowed: set[str] = set()
        for template, methods in _routes(self.api):
            if _pattern(template).match(path):
                if method in methods:
                    await self.app(scope, receive, send)
                    return
                allowed |= methods
        if allowed:
            methods = ", ".join(sorted(allowed))
            answer = error_response(
                405,
                "method_not_allowed",
                f"{scope['method']} is not allowed here; use {methods}",
                headers={"Allow": methods},
            )
        else:
            answer = error_response(404, "not_found", f"No API route at {scope['path']}")
        await answer(scope, receive, send)


def install_contract(api: FastAPI) -> None:
    """Documents the errors in the OpenAPI and adds the fallback for unrouted /api/
    requests (call before the outer middlewares, so the request id is already set)."""
    api.add_middleware(ApiFallbackMiddleware, api=api)

    def openapi() -> dict:
        if api.openapi_schema is None:
            api.openapi_schema = document_errors(
                get_openapi(
                    title=api.title,
                    version=api.version,
                    description=api.description,
                    routes=api.routes,
                )
            )
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
