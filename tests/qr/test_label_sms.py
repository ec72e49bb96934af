"""A reporter at a device confirms the phone by an SMS code: with no WhatsApp channel the
code comes by SMS through the gateway, with both the reporter picks, a gateway that refuses
is tried again, and with no gateway the SMS is only recorded in the message log."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from services.notifications.sms import queue_sms, send_due_sms
from services.settings import get_settings
from tests.factories import make_org, make_served_device

KEY = "gateway-key-123"


class Gateway:
    """An SMS gateway on a local port: keeps what it was sent, refuses `refuse` times."""

    def __init__(self, refuse: int = 0):
        self.received: list[dict] = []
        self.keys: list[str] = []
        self.refuse = refuse
        self.url = ""


@contextmanager
def gateway(refuse: int = 0) -> Iterator[Gateway]:
    state = Gateway(refuse)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.refuse > 0:
                state.refuse -= 1
                self.send_response(503)
                self.end_headers()
                self.wfile.write(b"busy")
                return
            state.received.append(body)
            state.keys.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "accepted"}')

        def log_message(self, *_args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def labelled():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    device = make_served_device(hospital, partner, "MVI-CT128")
    with system_session() as db:
        payload = db.execute(
            text("SELECT payload FROM qr_code WHERE id = :q"), {"q": device.label_id}
        ).scalar_one()
    return hospital, device, payload


def _use(monkeypatch, sms_url: str | None, whatsapp_url: str | None = None) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "sms_api_url", sms_url)
    monkeypatch.setattr(settings, "sms_api_key", SecretStr(KEY))
    monkeypatch.setattr(settings, "whatsapp_api_url", whatsapp_url)


def _sms_log(phone: str) -> list:
    with system_session() as db:
        return db.execute(
            text(
                "SELECT status, attempts, last_error, body FROM notification_message "
                "WHERE channel = 'sms' AND recipient = :p ORDER BY created_at"
            ),
            {"p": phone},
        ).all()


def _tickets(device_id) -> list:
    with system_session() as db:
        return db.execute(
            text("SELECT source, description FROM ticket WHERE equipment_id = :d"),
            {"d": device_id},
        ).all()


def test_without_whatsapp_the_code_comes_by_sms(client, labelled, monkeypatch):
    _hospital, device, payload = labelled
    form = {"name": "Sister Leela", "phone": "+91 98111 22334", "description": "Couch stuck"}
    with gateway() as sms:
        _use(monkeypatch, sms.url)
        waiting = client.post(f"/Q/{payload}", data=form)
        assert waiting.status_code == 202 and "by SMS" in waiting.text, waiting.text
        assert "Send the confirmation code by" not in client.get(f"/Q/{payload}").text
        send_due_sms()  # what the workers run once the report is committed

    [sent] = sms.received
    assert sent["to"] == "+919811122334" and sms.keys == [f"Bearer {KEY}"]
    code = re.search(r"\b(\d{6})\b", sent["message"]).group(1)
    report = re.search(r'name="report" value="([0-9a-f-]+)"', waiting.text).group(1)
    assert _tickets(device.device_id) == [], "no ticket before the phone is confirmed"
    done = client.post(f"/Q/{payload}/confirm", data={"report": report, "code": code})
    assert done.status_code == 201 and "Your number was confirmed" in done.text
    [ticket] = _tickets(device.device_id)
    assert ticket.source == "qr" and "confirmed by a one-time code" in ticket.description
    [logged] = _sms_log("+919811122334")
    assert logged.status == "sent" and code in logged.body


def test_with_both_channels_the_reporter_picks_sms(client, labelled, monkeypatch):
    _hospital, _device, payload = labelled
    with gateway() as sms:
        _use(monkeypatch, sms.url, whatsapp_url="http://127.0.0.1:9/v19.0")
        page = client.get(f"/Q/{payload}").text
        assert "Send the confirmation code by" in page and 'value="sms"' in page
        form = {"name": "Dr Rao", "phone": "+91 98111 22335", "description": "No image"}
        waiting = client.post(f"/Q/{payload}", data={**form, "channel": "sms"})
        send_due_sms()

    assert waiting.status_code == 202 and "by SMS" in waiting.text
    assert [m["to"] for m in sms.received] == ["+919811122335"]
    with system_session() as db:
        on_whatsapp = db.execute(
            text("SELECT count(*) FROM whatsapp_message WHERE phone = '+919811122335'")
        ).scalar_one()
    assert on_whatsapp == 0


def test_a_refusing_gateway_is_tried_again(client, labelled, monkeypatch):
    _hospital, _device, payload = labelled
    form = {"name": "Ravi Kumar", "phone": "+91 98111 22336", "description": "Beeping loudly"}
    with gateway(refuse=1) as sms:
        _use(monkeypatch, sms.url)
        assert client.post(f"/Q/{payload}", data=form).status_code == 202
        assert send_due_sms()["retrying"] == 1
        [waiting] = _sms_log("+919811122336")
        assert waiting.status == "queued" and "HTTP 503" in waiting.last_error
        with system_session() as db:  # the next try is due now rather than in 15 s
            db.execute(
                text(
                    "UPDATE notification_message SET next_attempt_at = now() "
                    "WHERE recipient = '+919811122336'"
                )
            )
        assert send_due_sms()["sent"] == 1

    [logged] = _sms_log("+919811122336")
    assert logged.status == "sent" and logged.attempts == 2 and len(sms.received) == 1


def test_with_no_gateway_an_sms_is_only_recorded(labelled, monkeypatch):
    hospital, _device, _payload = labelled
    _use(monkeypatch, None)
    with system_session() as db:
        queue_sms(db, hospital.tenant.id, "+91 98111 22337", "Yantra: 123456", "report_code")
    [logged] = _sms_log("+919811122337")
    assert logged.status == "sent" and logged.attempts == 1
