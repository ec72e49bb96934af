"""From a WhatsApp report to a ticket: who writes, which device, what is wrong."""

from __future__ import annotations

from sqlmodel import select

from services.db import system_session, tenant_session
from services.devices.models import Equipment, QrCode
from services.qr.symbols import qr_png
from services.tickets.models import Ticket, TicketEvent
from services.whatsapp import triage
from services.whatsapp.models import WhatsappConversation, WhatsappMessage
from tests.factories import PASSWORD
from tests.whatsapp.cloud import image_message, list_reply, new_phone, text_message
from tests.whatsapp.conftest import deliver


def _tickets(reporter, device_id) -> list[Ticket]:
    with tenant_session(reporter.hospital.actor) as db:
        return list(db.exec(select(Ticket).where(Ticket.equipment_id == device_id)))


def _serial(reporter, device_id) -> str:
    with tenant_session(reporter.hospital.actor) as db:
        return db.get(Equipment, device_id).serial_number


def _sent_to(phone: str) -> list[WhatsappMessage]:
    with system_session() as db:
        return list(
            db.exec(
                select(WhatsappMessage)
                .where(WhatsappMessage.phone == phone, WhatsappMessage.direction == "out")
                .order_by(WhatsappMessage.created_at)
            )
        )


def test_a_known_number_naming_a_serial_ends_in_one_ticket_even_when_meta_repeats_it(
    client, token, reporter
):
    serial = _serial(reporter, reporter.mri.device_id)
    body = text_message(
        reporter.phone, f"MRI {serial} not starting since morning, patients waiting"
    )
    assert deliver(client, body) == ["processed"]
    assert deliver(client, body) == ["processed"]  # the same message id again

    (ticket,) = _tickets(reporter, reporter.mri.device_id)
    assert ticket.source == "whatsapp" and ticket.priority == "P1"  # breakdown of a class C MRI
    assert "not starting" in ticket.description
    with tenant_session(reporter.hospital.actor) as db:
        notes = [
            e.note for e in db.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
        ]
    assert any("triage: breakdown" in n and serial in n for n in notes)
    (answer,) = _sent_to(reporter.phone)
    assert f"#{ticket.number}" in answer.body and answer.status == "sent"
    nurse = {"Authorization": f"Bearer {token(reporter.hospital.email, PASSWORD)}"}
    listed = client.get(
        "/api/v1/tickets", params={"deviceId": str(reporter.mri.device_id)}, headers=nurse
    ).json()["tickets"]
    assert [(t["number"], t["source"]) for t in listed] == [(ticket.number, "whatsapp")]
    bad = client.get("/api/v1/tickets", params={"deviceId": "not-a-uuid"}, headers=nurse)
    assert bad.status_code == 400


def test_an_unknown_number_is_told_how_to_register_once_and_no_ticket_opens(client):
    phone = new_phone()
    deliver(client, text_message(phone, "CT scanner is down, please send engineer"))
    deliver(client, text_message(phone, "hello?? anyone"))
    (answer,) = _sent_to(phone)
    assert "register" in answer.body.lower() and "no ticket" in answer.body.lower()
    with system_session() as db:
        assert (
            db.exec(select(WhatsappConversation).where(WhatsappConversation.phone == phone)).first()
            is None
        )
        logged = db.exec(select(WhatsappMessage).where(WhatsappMessage.phone == phone)).all()
    assert {m.direction for m in logged} == {"in", "out"} and all(
        m.tenant_id is None for m in logged
    )


def test_without_a_serial_the_reporter_picks_the_device_from_a_list(client, reporter):
    deliver(
        client, text_message(reporter.phone, "Patient monitor screen went blank, not switching on")
    )
    question = _sent_to(reporter.phone)[-1]
    assert question.kind == "interactive" and "Which device" in question.body
    rows = question.payload["interactive"]["action"]["sections"][0]["rows"]
    assert {r["id"] for r in rows} == {
        f"device:{reporter.mri.device_id}",
        f"device:{reporter.monitor.device_id}",
    }
    deliver(
        client, list_reply(reporter.phone, f"device:{reporter.monitor.device_id}", "Vitalis 12")
    )
    (ticket,) = _tickets(reporter, reporter.monitor.device_id)
    assert ticket.priority == "P2" and ticket.source == "whatsapp"  # breakdown, class B
    assert _tickets(reporter, reporter.mri.device_id) == []


def test_when_triage_is_unsure_it_asks_one_question_instead_of_guessing(
    client, reporter, monkeypatch
):
    monkeypatch.setattr(triage, "CONFIDENT", 1.01)
    serial = _serial(reporter, reporter.monitor.device_id)
    deliver(client, text_message(reporter.phone, f"monitor {serial} - please see"))
    question = _sent_to(reporter.phone)[-1]
    assert question.kind == "interactive" and "what kind of request" in question.body
    assert _tickets(reporter, reporter.monitor.device_id) == []
    deliver(client, list_reply(reporter.phone, "intent:pm_request", "Maintenance / calibration"))
    (ticket,) = _tickets(reporter, reporter.monitor.device_id)
    assert ticket.priority == "P4"


def test_a_label_photo_finds_the_device_and_an_error_code_in_the_caption(
    client, reporter, cloud_api
):
    with tenant_session(reporter.hospital.actor) as db:
        payload = db.get(QrCode, reporter.mri.label_id).payload
    cloud_api.media["1043929263327411"] = qr_png(payload, box_size=6)
    caption = "MRI showing error E-203 on the console, scan aborted"
    deliver(client, image_message(reporter.phone, "1043929263327411", caption))
    (ticket,) = _tickets(reporter, reporter.mri.device_id)
    assert ticket.error_code == "E-203" and ticket.priority == "P2"  # error code on class C
