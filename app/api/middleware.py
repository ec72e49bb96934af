"""Request id and security headers on every response, and one JSON access-log line per API
request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from app.api.label_page import LABEL_PATHS, LABEL_POLICY
from services.common.logs import actor_var, request_id_var

log = logging.getLogger("yantra.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Pure ASGI, so websockets and streaming pass through untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        # Kept on the request too: the last-resort 500 handler runs outside this middleware.
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        actor_token = actor_var.set("")
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            if path.startswith("/api/"):
                route = scope.get("route")
                actor = (scope.get("state") or {}).get("actor")
                if actor is not None:
                    actor_var.set(f"{actor.user_id}@{actor.tenant_id}")
                template = getattr(route, "path", None) or path
                if not template.startswith("/api/"):  # routes of routers included under /api/v1
                    template = "/api/v1" + template
                log.info(
                    "request",
                    extra={
                        "route": template,
                        "method": scope.get("method"),
                        "status": status_holder["status"],
                        "durationMs": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            request_id_var.reset(token)
            actor_var.reset(actor_token)


TILES = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
# The built Reflex front end runs inline bootstrap scripts and `eval`s scripts the server
# sends (rx.call_script); the maps, framed by `srcdoc`, inherit the page's policy and are
# inline scripts too. So scripts come from this origin or inline, never from elsewhere;
# no plugin, no <base>, no form to another site, and no framing by other sites.
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {TILES}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
# Map documents served by URL run in a sandbox of their own: an opaque origin that can
# reach neither the app's cookies nor its pages, even when opened outside the frame.
MAP_POLICY = "; ".join(
    [
        "sandbox allow-scripts allow-top-navigation-by-user-activation",
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {TILES}",
        "connect-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    ]
)
# Swagger UI (/api/docs) loads its script and style from jsDelivr.
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'self'",
    ]
)
# The field app is the project's own static files: no inline script, no eval.
FIELD_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {TILES}",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
MAP_PATHS = "/api/v1/geo/maps/"


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries; the policy depends on what the path serves."""
    if path.startswith(MAP_PATHS):
        policy = MAP_POLICY
    elif path == "/field" or path.startswith("/field/"):
        policy = FIELD_POLICY
    elif path.startswith(LABEL_PATHS):
        policy = LABEL_POLICY
    elif path == "/api/docs" or path.startswith("/api/docs/"):
        policy = DOCS_POLICY
    else:
        policy = PAGE_POLICY
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"SAMEORIGIN"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response that passes through the app:
    Reflex's pages and static files, the API and the maps. Pure ASGI, like the one above."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope.get("path", ""))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
