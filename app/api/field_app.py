"""The technician's phone app at /field: a plain HTML and JavaScript web app, installable and
working offline, that talks to the REST API. Reflex pages need a live websocket, so the app a
technician uses in a basement with no signal is static files plus a service worker instead.

The files live in assets/field; this router serves them at /field with the headers an
installable app needs (the manifest's type, a service worker allowed to control /field, and
no caching of the shell by the HTTP cache, since the service worker decides what is cached).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

FIELD_DIR = Path(__file__).resolve().parents[2] / "assets" / "field"
# Only these files, so a path can never reach outside the folder.
_FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "store.js": "text/javascript; charset=utf-8",
    "scan.js": "text/javascript; charset=utf-8",
    "manifest.webmanifest": "application/manifest+json",
    "icons/icon-192.png": "image/png",
    "icons/icon-512.png": "image/png",
    "icons/maskable-192.png": "image/png",
    "icons/maskable-512.png": "image/png",
    "icons/apple-touch-icon.png": "image/png",
}
_NO_STORE = {"Cache-Control": "no-cache"}

router = APIRouter(tags=["field app"], include_in_schema=False)


@router.get("/field")
def shell() -> FileResponse:
    return FileResponse(FIELD_DIR / "index.html", media_type="text/html", headers=_NO_STORE)


@router.get("/field/sw.js")
def service_worker() -> FileResponse:
    # Served below /field/ but allowed to control /field itself (the app's start URL).
    headers = {**_NO_STORE, "Service-Worker-Allowed": "/field"}
    return FileResponse(FIELD_DIR / "sw.js", media_type="text/javascript", headers=headers)


@router.get("/field/{name:path}")
def file(name: str) -> FileResponse:
    media_type = _FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail="No such file in the field app")
    return FileResponse(FIELD_DIR / name, media_type=media_type, headers=_NO_STORE)
