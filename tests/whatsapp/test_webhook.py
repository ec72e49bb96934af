"""The webhook: handshake, signatures, storing, malformed bodies and status callbacks."""

from __future__ import annotations

import json

from sqlmodel import select

from services.db import system_session, tenant_session
from services.settings import get_settings
from services.whatsapp.models import WhatsappInbound, WhatsappMessage
from services.whatsapp.outbound import send_text
from tests.whatsapp.cloud import new_phone, post_signed, status_update, text_message
from tests.whatsapp.conftest import deliver


def test_the_handshake_echoes_the_challenge_only_for_our_verify_token(client):
    token, _ = get_settings().whatsapp_secrets()
    ok = client.get(
        "/api/v1/whatsapp/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = client.get(
        "/api/v1/whatsapp/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403


def _stored(raw: bytes) -> list[WhatsappInbound]:
    with system_session() as db:
        return list(db.exec(select(WhatsappInbound).where(WhatsappInbound.raw_body == raw)))


def test_unsigned_or_wrongly_signed_bodies_are_refused_and_not_kept(client):
    raw = json.dumps(text_message(new_phone(), "MRI not starting")).encode()
    assert post_signed(client, raw, signature=None).status_code == 401
    assert post_signed(client, raw, signature="sha256=" + "0" * 64).status_code == 401
    tampered = post_signed(client, raw.replace(b"MRI", b"CT "), signature=None)
    assert tampered.status_code == 401
    assert _stored(raw) == []


def test_a_malformed_body_with_a_good_signature_is_kept_and_answered_200(client):
    raw = b'{"object": "whatsapp_business_account", "entry": "oops"'
    assert deliver(client, raw) == ["ignored"]
    (row,) = _stored(raw)
    assert row.state == "ignored" and "malformed" in row.error
    other = json.dumps({"object": "page", "entry": []}).encode()
    assert deliver(client, other) == ["ignored"]


def test_status_callbacks_move_a_sent_message_forward_never_back(client, reporter):
    phone = reporter.phone
    with tenant_session(reporter.hospital.actor) as db:
        message_id = send_text(db, to_phone=phone, text="Your engineer is on the way")
        db.get(WhatsappMessage, message_id).wa_message_id = "wamid.status-test-" + phone
    wamid = "wamid.status-test-" + phone
    deliver(client, status_update(wamid, "delivered", phone))
    deliver(client, status_update(wamid, "read", phone))
    deliver(client, status_update(wamid, "sent", phone))  # late and out of order
    with system_session() as db:
        assert db.get(WhatsappMessage, message_id).status == "read"
    deliver(client, status_update(wamid, "failed", phone, error="Receiver is incapable"))
    with system_session() as db:
        failed = db.get(WhatsappMessage, message_id)
    assert failed.status == "failed" and "incapable" in failed.last_error
