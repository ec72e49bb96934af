"""Through a real Celery worker: the webhook answers at once and the worker opens the ticket."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from services.db import tenant_session
from services.tickets.models import Ticket
from tests.whatsapp.cloud import post_signed, text_message
from tests.workers import celery_running


def test_a_signed_report_becomes_a_ticket_through_the_worker(client, reporter, tmp_path):
    with tenant_session(reporter.hospital.actor) as db:
        from services.devices.models import Equipment

        serial = db.get(Equipment, reporter.mri.device_id).serial_number
    body = text_message(reporter.phone, f"CT scanner {serial} stopped mid scan and won't boot")
    with celery_running(tmp_path):
        assert post_signed(client, body).status_code == 200
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            with tenant_session(reporter.hospital.actor) as db:
                found = db.exec(
                    select(Ticket).where(Ticket.equipment_id == reporter.mri.device_id)
                ).all()
            if found:
                break
            time.sleep(0.25)
        else:
            pytest.fail("the worker opened no ticket within 40 s")
    (ticket,) = found
    assert ticket.source == "whatsapp" and ticket.priority == "P1"
