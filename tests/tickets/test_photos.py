"""Ticket photos are recognised by what they contain, not by their name or declared type."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from services.actor import Role, TenantKind
from services.db import tenant_session
from services.errors import Invalid, TooLarge
from services.tickets.models import TicketAttachment
from services.tickets.service import add_comment, open_ticket
from services.uploads import PHOTO_BYTES
from tests.factories import make_org, make_served_device


@pytest.fixture(scope="module")
def ticket():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    served = make_served_device(hospital, None, "MVI-US9")
    with tenant_session(hospital.actor) as db:
        opened = open_ticket(db, hospital.actor, served.device_id, "P3", "US-1", "photo test")
        return hospital, opened.id


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _attachments(hospital, ticket_id) -> list[TicketAttachment]:
    with tenant_session(hospital.actor) as db:
        rows = db.exec(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket_id))
        return list(rows)


def test_a_text_file_named_jpg_is_refused(ticket):
    hospital, ticket_id = ticket
    with tenant_session(hospital.actor) as db, pytest.raises(Invalid) as refused:
        add_comment(
            db,
            hospital.actor,
            ticket_id,
            "see photo",
            ("fault.jpg", "image/jpeg", b"<script>alert(1)</script> not a photo"),
        )
    assert refused.value.field == "photo"
    assert "content was checked" in refused.value.message
    assert _attachments(hospital, ticket_id) == []


def test_a_real_photo_is_kept_with_the_type_its_content_shows(ticket):
    hospital, ticket_id = ticket
    with tenant_session(hospital.actor) as db:
        add_comment(
            db, hospital.actor, ticket_id, "", ("upload.bin", "application/octet-stream", _png())
        )
    kept = _attachments(hospital, ticket_id)
    assert [a.content_type for a in kept] == ["image/png"]


def test_a_photo_over_the_limit_is_too_large(ticket):
    hospital, ticket_id = ticket
    big = _png() + b"\0" * PHOTO_BYTES
    with tenant_session(hospital.actor) as db, pytest.raises(TooLarge):
        add_comment(db, hospital.actor, ticket_id, "big", ("big.png", "image/png", big))
