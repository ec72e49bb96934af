"""Webhook bodies in the shapes the WhatsApp Cloud API documents, a numbers factory, and a
stand-in Cloud API server (messages and media) on a local port."""

from __future__ import annotations

import json
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from services.whatsapp.webhook import sign


def new_phone() -> str:
    return "+919" + "".join(secrets.choice("0123456789") for _ in range(9))


def _envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
        **value,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def _message(phone: str, kind: str, part: dict[str, Any], wamid: str | None) -> dict[str, Any]:
    wa_id = phone.lstrip("+")
    return _envelope(
        {
            "contacts": [{"profile": {"name": "Sister Mary"}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid or f"wamid.{secrets.token_hex(12)}",
                    "timestamp": str(int(time.time())),
                    "type": kind,
                    kind: part,
                }
            ],
        }
    )


def text_message(phone: str, body: str, wamid: str | None = None) -> dict[str, Any]:
    return _message(phone, "text", {"body": body}, wamid)


def image_message(phone: str, media_id: str, caption: str) -> dict[str, Any]:
    part = {"caption": caption, "mime_type": "image/png", "sha256": "x", "id": media_id}
    return _message(phone, "image", part, None)


def list_reply(phone: str, row_id: str, title: str) -> dict[str, Any]:
    part = {"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
    return _message(phone, "interactive", part, None)


def status_update(wamid: str, status: str, phone: str, error: str | None = None) -> dict:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": phone.lstrip("+"),
    }
    if error:
        item["errors"] = [{"code": 131026, "title": error}]
    return _envelope({"statuses": [item]})


def post_signed(client, body: dict | bytes, signature: str | None = "good"):
    """POST a body to the webhook, signed with the app secret unless told otherwise."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    if signature == "good":
        headers["x-hub-signature-256"] = sign(raw)
    elif signature:
        headers["x-hub-signature-256"] = signature
    return client.post("/api/v1/whatsapp/webhook", content=raw, headers=headers)


class CloudApi:
    """What the stand-in server saw, and how it answers sends."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.media: dict[str, bytes] = {}
        self.refuse_sends = 0  # answer this many sends with 503 first
        self.url = ""


@contextmanager
def cloud_api_server():
    cloud = CloudApi()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["content-length"])))
            if cloud.refuse_sends > 0:
                cloud.refuse_sends -= 1
                self._reply(503, b'{"error": {"message": "try later"}}')
                return
            cloud.sent.append(payload)
            wamid = f"wamid.out{len(cloud.sent)}"
            self._reply(200, json.dumps({"messages": [{"id": wamid}]}).encode())

        def do_GET(self) -> None:
            key = self.path.strip("/")
            if key.startswith("files/") and key[6:] in cloud.media:
                self._reply(200, cloud.media[key[6:]], "image/png")
            elif key in cloud.media:
                self._reply(200, json.dumps({"url": f"{cloud.url}/files/{key}"}).encode())
            else:
                self._reply(404, b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    cloud.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield cloud
    finally:
        server.shutdown()
        server.server_close()
