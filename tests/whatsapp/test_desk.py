"""The service desk's threads, replying from the platform, and a user's own number."""

from __future__ import annotations

from sqlmodel import select

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.tickets.models import TicketEvent
from services.whatsapp.cloud_api import deliver as deliver_once
from services.whatsapp.desk import list_conversations
from services.whatsapp.models import WhatsappMessage
from services.whatsapp.outbound import send_text
from tests.factories import PASSWORD, make_org
from tests.whatsapp.cloud import new_phone, text_message
from tests.whatsapp.conftest import deliver


def test_the_desk_sees_the_thread_with_its_ticket_and_takes_it_over_by_replying(
    client, token, reporter
):
    deliver(client, text_message(reporter.phone, "Patient monitor screen went blank in OT 2"))
    deliver(client, text_message(reporter.phone, "2"))  # the list's second device: the monitor
    desk = {"Authorization": f"Bearer {token(reporter.partner.email, PASSWORD)}"}
    nurse = {"Authorization": f"Bearer {token(reporter.hospital.email, PASSWORD)}"}
    assert client.get("/api/v1/whatsapp/conversations", headers=nurse).status_code == 403
    threads = client.get("/api/v1/whatsapp/conversations", headers=desk).json()["items"]
    (thread,) = [t for t in threads if t["phone"] == reporter.phone]
    assert thread["ticketNumber"] and thread["priority"] == "P2" and not thread["takenOver"]
    stranger = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)  # works other tickets
    with tenant_session(stranger.actor) as db:
        assert thread["id"] not in {t["id"] for t in list_conversations(db, stranger.actor)}

    url = f"/api/v1/whatsapp/conversations/{thread['id']}"
    assert client.post(url + "/reply", json={"text": "  "}, headers=desk).status_code == 400
    sent = client.post(url + "/reply", json={"text": "Engineer Ravi reaches by 4 pm"}, headers=desk)
    assert sent.status_code == 201, sent.text
    deliver(client, text_message(reporter.phone, "ok thank you"))

    messages = client.get(url + "/messages", headers=desk).json()["items"]
    assert [m["body"] for m in messages][-2:] == ["Engineer Ravi reaches by 4 pm", "ok thank you"]
    assert messages[-2]["byDesk"] and messages[-2]["status"] == "sent"
    with tenant_session(reporter.hospital.actor) as db:
        notes = db.exec(
            select(TicketEvent.note).where(TicketEvent.ticket_id == thread["ticketId"])
        ).all()
    assert any("ok thank you" in n for n in notes)  # the customer's answer joins the ticket
    assert any("Engineer Ravi" in n for n in notes)


def test_a_failed_send_is_retried_and_every_attempt_shows(reporter, cloud_api):
    cloud_api.refuse_sends = 1
    with tenant_session(reporter.hospital.actor) as db:
        message_id = send_text(db, to_phone=reporter.phone, text="Ticket #1042 is resolved")
    assert deliver_once(message_id) == "queued"
    with system_session() as db:
        first = db.get(WhatsappMessage, message_id)
        assert first.attempts == 1 and "503" in first.last_error
    assert deliver_once(message_id) == "sent"
    assert deliver_once(message_id) == "sent"  # nothing sent twice
    with system_session() as db:
        message = db.get(WhatsappMessage, message_id)
    assert message.attempts == 2 and message.wa_message_id == "wamid.out1"
    assert cloud_api.sent[0]["text"]["body"] == "Ticket #1042 is resolved"
    assert len(cloud_api.sent) == 1


def test_a_user_keeps_a_valid_whatsapp_number_of_their_own(client, token, reporter):
    nurse = {"Authorization": f"Bearer {token(reporter.hospital.email, PASSWORD)}"}
    assert client.get("/api/v1/me", headers=nurse).json()["phone"] == reporter.phone
    bad = client.patch("/api/v1/me", json={"phone": "12345"}, headers=nurse)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "phone"
    taken = client.patch(
        "/api/v1/me",
        json={"phone": reporter.phone},
        headers={"Authorization": f"Bearer {token(reporter.partner.email, PASSWORD)}"},
    )
    assert taken.status_code == 409
    mine = new_phone()
    spaced = f"0{mine[3:8]} {mine[8:]}"
    changed = client.patch("/api/v1/me", json={"phone": spaced}, headers=nurse)
    assert changed.status_code == 200 and changed.json()["phone"] == mine
