"""A lab's notices go out as WhatsApp templates; a refused send is tried again and the
message log shows the failure and then the success; e-mail retries the same way; each
person chooses their channels and language through the API."""

from __future__ import annotations

import json
import socketserver
import threading
from contextlib import contextmanager
from email import message_from_string
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.notifications.channels import Message, tell_people
from services.notifications.email import send_due_emails
from services.notifications.lab import notify_critical_value, notify_result_ready
from services.notifications.log import message_log
from services.notifications.preferences import save_preferences
from services.settings import get_settings
from services.whatsapp import cloud_api
from services.whatsapp.models import WhatsappMessage
from tests.factories import PASSWORD, make_org
from tests.notifications.conftest import colleague, notices
from tests.notifications.test_channels import give_phone


@contextmanager
def serving(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class CloudApi(BaseHTTPRequestHandler):
    """The Cloud API's messages endpoint: answers 500 to the first send, then 200."""

    answers = [500, 200]
    bodies: list[dict] = []

    def do_POST(self):  # noqa: N802 (the name http.server calls)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        CloudApi.bodies.append(body)
        status = CloudApi.answers.pop(0) if CloudApi.answers else 200
        reply = {"messages": [{"id": "wamid.test"}]} if status == 200 else {"error": "busy"}
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP: the first MAIL FROM is refused for now (451), later ones pass."""

    refusals = [1]
    received: list[str] = []

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 test ESMTP")
        while line := self.rfile.readline().decode().strip():
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "MAIL":
                self.reply(
                    "451 try again later" if Smtp.refusals and Smtp.refusals.pop() else "250 ok"
                )
            elif verb == "RCPT":
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (part := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(part)
                Smtp.received.append("".join(lines))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def _lab():
    lab = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
    admin = colleague(lab, Role.BUYER_ADMIN)
    give_phone(lab.actor.user_id)
    with tenant_session(lab.actor) as db:
        save_preferences(db, lab.actor, {"language": "ta"})
    return lab, admin


def test_a_refused_whatsapp_send_is_tried_again_and_the_log_shows_failure_then_success(
    monkeypatch,
):
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), CloudApi)) as api:
        monkeypatch.setenv("WHATSAPP_API_URL", f"http://127.0.0.1:{api.server_address[1]}")
        monkeypatch.setenv("WHATSAPP_TOKEN", "test-token")
        get_settings.cache_clear()
        try:
            lab, admin = _lab()
            with tenant_session(lab.actor) as db:
                sent = notify_critical_value(
                    db,
                    tenant_id=lab.tenant.id,
                    patient_name="Meena S",
                    test_name="Potassium",
                    value="7.1 mmol/L",
                    sample_id="S-2231",
                    key="result-1",
                )
            assert sent == {"in_app": 1, "whatsapp": 1, "email": 0}
            with system_session() as db:
                wa_id = db.execute(
                    text(
                        "SELECT whatsapp_message_id FROM notification_message WHERE tenant_id = :t"
                    ),
                    {"t": lab.tenant.id},
                ).scalar_one()

            assert cloud_api.deliver(wa_id) == "queued"  # 500: kept for another try
            with tenant_session(admin) as db:
                first = message_log(db, admin)["items"][0]
            assert (first["status"], first["attempts"]) == ("queued", 1)
            assert "HTTP 500" in first["lastError"]

            assert cloud_api.deliver(wa_id) == "sent"
            with tenant_session(admin) as db:
                again = message_log(db, admin)["items"][0]
            assert (again["status"], again["attempts"], again["lastError"]) == ("sent", 2, "")
        finally:
            monkeypatch.delenv("WHATSAPP_API_URL")
            monkeypatch.delenv("WHATSAPP_TOKEN")
            get_settings.cache_clear()
    template = CloudApi.bodies[-1]["template"]
    assert template["name"] == "critical_value_alert" and template["language"]["code"] == "ta"
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert values == ["Meena S", "Potassium", "7.1 mmol/L", "S-2231"]
    bell = notices(lab.actor)[0]
    assert bell["title"] == "அபாய அளவு: Potassium"


def test_a_patient_hears_a_report_is_ready_once_in_marathi():
    lab = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
    with tenant_session(lab.actor) as db:
        first = notify_result_ready(
            db,
            tenant_id=lab.tenant.id,
            patient_name="Sunita P",
            patient_phone="98200 12345",
            test_name="CBC",
            lab_name="Pune Path Lab",
            language="mr",
            key="report-9",
        )
        again = notify_result_ready(
            db,
            tenant_id=lab.tenant.id,
            patient_name="Sunita P",
            patient_phone="98200 12345",
            test_name="CBC",
            lab_name="Pune Path Lab",
            language="mr",
            key="report-9",
        )
        message = db.get(
            WhatsappMessage,
            db.execute(
                text("SELECT whatsapp_message_id FROM notification_message WHERE id = :i"),
                {"i": first},
            ).scalar_one(),
        )
    assert first is not None and again is None
    assert message.phone == "+919820012345" and message.status == "sent"  # offline: logged
    assert message.payload["template"]["name"] == "test_result_ready"
    assert message.payload["template"]["language"]["code"] == "mr"
    with tenant_session(lab.actor) as db, pytest.raises(Exception, match="patient_phone"):
        notify_result_ready(
            db,
            tenant_id=lab.tenant.id,
            patient_name="X",
            patient_phone="12",
            test_name="CBC",
            lab_name="L",
        )


def test_a_refused_email_waits_for_its_next_try_then_goes(monkeypatch):
    with serving(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Smtp)) as smtp:
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{smtp.server_address[1]}")
        oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)
        me = [(oem.actor.user_id, "oem_admin")]
        with tenant_session(oem.actor) as db:
            save_preferences(db, oem.actor, {"language": "hi"})
            news = Message("import_finished", {"batch": "B-7", "processed": 123456, "failed": 7})
            assert tell_people(db, oem.tenant.id, me, news)["email"] == 0  # in-app only
            save_preferences(db, oem.actor, {"channels": {"import_finished": ["email"]}})
            news = Message("import_finished", {"batch": "B-8", "processed": 123456, "failed": 7})
            assert tell_people(db, oem.tenant.id, me, news) == {
                "in_app": 0,
                "whatsapp": 0,
                "email": 1,
            }
        assert send_due_emails()["retrying"] == 1
        with system_session() as db:
            row = db.execute(
                text("SELECT * FROM notification_message WHERE tenant_id = :t"),
                {"t": oem.tenant.id},
            ).one()
            assert row.status == "queued" and row.attempts == 1 and "451" in row.last_error
            assert row.next_attempt_at is not None  # backoff: not before its time
            db.execute(
                text("UPDATE notification_message SET next_attempt_at = now() WHERE id = :i"),
                {"i": row.id},
            )
        assert send_due_emails()["sent"] == 1
    with system_session() as db:
        row = db.execute(
            text("SELECT * FROM notification_message WHERE tenant_id = :t"), {"t": oem.tenant.id}
        ).one()
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.body == "1,23,456 डिवाइस पंजीकृत, 7 अस्वीकृत।"
    mail = message_from_string(Smtp.received[-1], policy=default)
    assert mail["Subject"] == "डिवाइस आयात B-8 पूरा हुआ"
    assert mail.get_content().strip() == row.body


def test_each_person_chooses_channels_and_language_through_the_api(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    headers = auth(hospital.email, PASSWORD)
    got = client.get("/api/v1/me/notification-preferences", headers=headers).json()
    assert got["language"] == "en" and got["channels"]["ticket_assigned"] == ["in_app"]
    assert {"en", "hi", "ta", "mr"} == {lang["code"] for lang in got["languages"]}

    change = {"language": "ta", "channels": {"ticket_assigned": ["whatsapp", "in_app"]}}
    put = client.put("/api/v1/me/notification-preferences", json=change, headers=headers)
    assert put.status_code == 200
    assert put.json()["channels"]["ticket_assigned"] == ["in_app", "whatsapp"]
    assert (
        client.get("/api/v1/me/notification-preferences", headers=headers).json()["language"]
        == "ta"
    )

    bad = client.put(
        "/api/v1/me/notification-preferences", json={"language": "fr"}, headers=headers
    )
    assert bad.status_code == 400 and "language" in bad.text
    bad = client.put(
        "/api/v1/me/notification-preferences",
        json={"channels": {"ticket_assigned": ["pigeon"]}},
        headers=headers,
    )
    assert bad.status_code == 400 and "channels.ticket_assigned" in bad.text

    log = client.get("/api/v1/notifications/log", headers=headers)
    assert log.status_code == 200 and log.json()["total"] == 0
    assert client.get("/api/v1/notifications/log?status=lost", headers=headers).status_code == 400
    user = colleague(hospital, Role.BUYER_USER)
    denied = client.get("/api/v1/notifications/log", headers=auth(user.label, PASSWORD))
    assert denied.status_code == 403
