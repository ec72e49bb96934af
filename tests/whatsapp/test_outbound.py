"""Sending: every message lands in the log; offline it is recorded as sent at once."""

from __future__ import annotations

from services.actor import Role, TenantKind
from services.db import tenant_session
from services.whatsapp.models import WhatsappMessage
from services.whatsapp.outbound import send_template, send_text
from tests.factories import make_org


def test_a_message_sent_offline_is_logged_as_sent_for_its_organisation():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    with tenant_session(hospital.actor) as db:
        text_id = send_text(db, to_phone="98765 43210", text="Your ticket is open")
        template_id = send_template(
            db,
            to_phone="+91 98765 43210",
            template="ticket_opened",
            language="hi",
            params=["T-1042", "MRI"],
        )
    with tenant_session(hospital.actor) as db:
        text = db.get(WhatsappMessage, text_id)
        template = db.get(WhatsappMessage, template_id)
    assert text.status == "sent" and text.phone == "+919876543210"
    assert text.tenant_id == hospital.tenant.id and text.attempts == 1
    assert template.payload["template"]["language"] == {"code": "hi"}
    assert template.payload["to"] == "919876543210"
