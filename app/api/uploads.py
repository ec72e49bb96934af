"""Caps on request bodies that carry files, enforced while they stream.

The API's upload routes set `max_body_size` (Starlette counts the bytes as they arrive
and stops with 413, at once when Content-Length already says too much). The pages upload
through Reflex's own endpoint, which parses the whole form before a handler runs, so the
same cap is put in front of it here, sized for the handler the request names; the handler
then reads the file through `services.uploads.read_upload` with its exact limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.catalog.importer import MAX_BYTES as CATALOG_BYTES
from services.devices.imports import MAX_BYTES as DEVICE_FILE_BYTES
from services.geo.importer import MAX_BYTES as DIRECTORY_BYTES
from services.uploads import MULTIPART_SLACK, PHOTO_BYTES, body_limit, megabytes

REFLEX_UPLOAD_PATH = "/_upload"
# The page handlers that take files, by method name, and the largest file each accepts.
PAGE_UPLOADS = {
    "post_comment": PHOTO_BYTES,
    "upload": max(CATALOG_BYTES, DEVICE_FILE_BYTES, DIRECTORY_BYTES),
}


def page_upload_limit(handler: str) -> int:
    """The body cap for a Reflex upload to `handler` (the reflex-event-handler header)."""
    method = handler.rsplit(".", 1)[-1]
    return body_limit(PAGE_UPLOADS.get(method, PHOTO_BYTES))


class PageUploadLimit:
    """Caps the body of Reflex's upload endpoint while it streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith(REFLEX_UPLOAD_PATH):
            await self.app(scope, receive, send)
            return
        handler = Headers(scope=scope).get("reflex-event-handler", "")
        limited = RequestBodyLimitMiddleware(self.app, page_upload_limit(handler))
        await limited(scope, receive, send)


def too_large_message(scope: Scope) -> str:
    """What a 413 tells the user: the cap of the route they called."""
    limit = scope.get(MAX_BODY_SIZE_SCOPE_KEY)
    if not limit or limit <= MULTIPART_SLACK:
        return "The request is too large"
    return (
        f"The upload is too large: this accepts a file of at most "
        f"{megabytes(limit - MULTIPART_SLACK)}; send a smaller one or split it"
    )
