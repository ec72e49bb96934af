"""A hospital hears its ticket's life on the channels it chose, in its own language; a
channel turned off sends nothing."""

from __future__ import annotations

import random
import re

from sqlalchemy import text
from sqlmodel import select

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.dispatch.models import Technician
from services.notifications.models import NotificationMessage
from services.notifications.preferences import save_preferences
from services.tickets.service import change_status, open_ticket
from tests.factories import make_org, make_served_device
from tests.notifications.conftest import colleague, notices, relay

TICKET_KINDS = ("ticket_opened", "ticket_assigned", "ticket_en_route", "ticket_resolved")
HINDI_MONTHS = "जनवरी|फ़रवरी|मार्च|अप्रैल|मई|जून|जुलाई|अगस्त|सितंबर|अक्टूबर|नवंबर|दिसंबर"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def give_phone(user_id) -> str:
    phone = f"+919{random.randint(100000000, 999999999)}"
    with system_session() as db:
        db.execute(text("UPDATE users SET phone = :p WHERE id = :u"), {"p": phone, "u": user_id})
    return phone


def _world():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    engineer = colleague(partner, Role.TECHNICIAN, "Ravi Kumar")
    served = make_served_device(hospital, partner, "MVI-CT128")
    with tenant_session(partner.actor) as db:
        tech = Technician(tenant_id=partner.tenant.id, user_id=engineer.user_id, skills=["CT"])
        db.add(tech)
        db.flush()
        tech_id = tech.id
    return hospital, partner, served, tech_id


def _live_a_ticket(hospital, partner, served, tech_id):
    with tenant_session(hospital.actor) as db:
        ticket = open_ticket(db, hospital.actor, served.device_id, "P2", "E-7", "No image")
        ticket_id, number = ticket.id, ticket.number
    relay()
    with tenant_session(partner.actor) as db:
        db.execute(
            text("UPDATE ticket SET technician_id = :t WHERE id = :id"),
            {"t": tech_id, "id": ticket_id},
        )
        for status in ("assigned", "en_route", "on_site", "in_progress", "resolved"):
            change_status(db, partner.actor, ticket_id, status)
    relay()
    return ticket_id, number


def _log(tenant_id, ticket_id) -> list[NotificationMessage]:
    with system_session() as db:
        return list(
            db.exec(
                select(NotificationMessage)
                .where(
                    NotificationMessage.tenant_id == tenant_id,
                    NotificationMessage.ticket_id == ticket_id,
                )
                .order_by(NotificationMessage.created_at)
            )
        )


def test_a_hindi_hospital_hears_each_step_of_its_ticket_in_devanagari_on_every_channel():
    hospital, partner, served, tech_id = _world()
    phone = give_phone(hospital.actor.user_id)
    everywhere = {kind: ["in_app", "whatsapp", "email"] for kind in TICKET_KINDS}
    with tenant_session(hospital.actor) as db:
        save_preferences(db, hospital.actor, {"language": "hi", "channels": everywhere})

    ticket_id, number = _live_a_ticket(hospital, partner, served, tech_id)

    bell = {n["kind"]: n for n in notices(hospital.actor) if n["ticketId"] == str(ticket_id)}
    assert set(bell) == set(TICKET_KINDS)
    assert bell["ticket_opened"]["title"] == f"टिकट #{number} खोला गया"
    assert "Ravi Kumar आपके टिकट" in bell["ticket_assigned"]["body"]
    assert "जल्द बताया जाएगा" in bell["ticket_assigned"]["body"]  # no plan, no ETA yet
    assert bell["ticket_en_route"]["title"] == f"इंजीनियर रास्ते में हैं: टिकट #{number}"
    # the resolved time is a date in IST with the month in Hindi
    when = rf"\d{{1,2}} ({HINDI_MONTHS}) \d{{4}}, \d\d:\d\d IST"
    assert re.search(when, bell["ticket_resolved"]["body"])

    log = _log(hospital.tenant.id, ticket_id)
    whatsapp = [m for m in log if m.channel == "whatsapp"]
    emails = [m for m in log if m.channel == "email"]
    assert sorted(m.template for m in whatsapp) == [
        "engineer_en_route",
        "ticket_assigned",
        "ticket_opened",
        "ticket_resolved",
    ]
    assert all(m.recipient == phone and m.language == "hi" for m in whatsapp)
    assert all(m.whatsapp_message_id is not None for m in whatsapp)
    assert [m.recipient for m in emails] == [hospital.email] * 4
    assert all(DEVANAGARI.search(m.subject) and m.status == "sent" for m in emails)

    relay()  # the events delivered again send nothing twice
    assert len(_log(hospital.tenant.id, ticket_id)) == 8


def test_a_channel_turned_off_sends_nothing_there_and_the_others_keep_english():
    hospital, partner, served, tech_id = _world()
    colleague_of_opener = colleague(hospital, Role.BUYER_USER)
    give_phone(hospital.actor.user_id)
    with tenant_session(hospital.actor) as db:
        save_preferences(
            db,
            hospital.actor,
            {"channels": {"ticket_opened": [], "ticket_assigned": ["whatsapp"]}},
        )
    ticket_id, number = _live_a_ticket(hospital, partner, served, tech_id)

    kinds = [n["kind"] for n in notices(hospital.actor) if n["ticketId"] == str(ticket_id)]
    assert "ticket_opened" not in kinds and "ticket_assigned" not in kinds
    assert {"ticket_en_route", "ticket_resolved"} <= set(kinds)  # defaults: in-app
    resolved = next(n for n in notices(hospital.actor) if n["kind"] == "ticket_resolved")
    assert resolved["title"] == f"Ticket #{number} resolved"
    # the person who opened the ticket hears of it, not every colleague
    assert not [n for n in notices(colleague_of_opener) if n["ticketId"] == str(ticket_id)]
    log = _log(hospital.tenant.id, ticket_id)
    assert [(m.channel, m.template, m.language) for m in log] == [
        ("whatsapp", "ticket_assigned", "en")
    ]
