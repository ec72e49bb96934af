"""A missed SLA deadline reaches the hospital in Tamil, and a finished bulk import reaches
the OEM's importer by e-mail in Marathi with its counts grouped the Indian way."""

from __future__ import annotations

from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.devices.models import DeviceRegistrationBatch
from services.events.service import emit
from services.notifications.preferences import save_preferences
from services.sla.breaches import detect_breaches
from services.tickets.service import open_ticket
from tests.factories import make_org, make_served_device
from tests.notifications.conftest import notices, relay

TAMIL_MONTHS = ("ஜனவரி", "பிப்ரவரி", "மார்ச்", "ஏப்ரல்", "மே", "ஜூன்", "ஜூலை", "ஆகஸ்ட்")
TAMIL_MONTHS += ("செப்டம்பர்", "அக்டோபர்", "நவம்பர்", "டிசம்பர்")


def test_a_missed_deadline_reaches_the_hospital_in_tamil():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    served = make_served_device(hospital, partner, "MVI-CT128")
    with tenant_session(hospital.actor) as db:
        save_preferences(db, hospital.actor, {"language": "ta"})
        ticket = open_ticket(db, hospital.actor, served.device_id, "P3", "E-9", "Tube arcing")
    with system_session() as db:  # its response deadline passed a minute ago
        db.execute(
            text("UPDATE ticket SET response_due_at = now() - interval '1 minute' WHERE id = :t"),
            {"t": ticket.id},
        )
    assert any(b["number"] == ticket.number for b in detect_breaches())
    relay()

    told = [n for n in notices(hospital.actor) if n["kind"] == "sla_breached"]
    assert len(told) == 1 and told[0]["ticketId"] == str(ticket.id)
    assert told[0]["title"] == f"சேவை காலக்கெடு தவறியது: டிக்கெட் #{ticket.number}"
    assert "பதில் காலக்கெடு" in told[0]["body"]  # the response deadline, in Tamil
    assert any(month in told[0]["body"] for month in TAMIL_MONTHS)


def test_a_finished_import_reaches_the_importer_by_email_in_marathi():
    oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    with tenant_session(oem.actor) as db:
        save_preferences(
            db, oem.actor, {"language": "mr", "channels": {"import_finished": ["email"]}}
        )
        batch = DeviceRegistrationBatch(
            tenant_id=oem.tenant.id, external_batch_id="FEED-2026-12", status="done"
        )
        db.add(batch)
        db.flush()
        emit(
            db,
            oem.actor,
            "BatchProcessed",
            "device_registration_batch",
            batch.id,
            {"processed": 123456, "failed": 1234, "kitId": None},
        )
    relay()

    assert [n for n in notices(oem.actor) if n["kind"] == "import_finished"] == []  # no bell
    with system_session() as db:
        mail = db.execute(
            text("SELECT recipient, subject, body FROM notification_message WHERE tenant_id = :t"),
            {"t": oem.tenant.id},
        ).one()
    assert mail.recipient == oem.email
    assert mail.subject == "उपकरण आयात FEED-2026-12 पूर्ण"
    assert mail.body == "1,23,456 उपकरणे नोंदवली, 1,234 नाकारली."
