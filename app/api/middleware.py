"""Request id on every response and one JSON access-log line per API request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from app.logs import actor_var, request_id_var

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
                log.info("request", extra={
                    "route": template, "method": scope.get("method"),
                    "status": status_holder["status"],
                    "durationMs": round((time.perf_counter() - started) * 1000, 1),
                })
            request_id_var.reset(token)
            actor_var.reset(actor_token)
