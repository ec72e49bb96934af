"""Fixtures of WhatsApp tests: a hospital user with a number and devices, and processing
a webhook body the way the worker does."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlmodel import select

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.identity.phones import set_phone
from services.settings import get_settings
from services.whatsapp.models import WhatsappInbound
from services.whatsapp.webhook import process_inbound
from tests.factories import Org, ServedDevice, make_org, make_served_device
from tests.whatsapp.cloud import cloud_api_server, new_phone, post_signed


@dataclass
class Reporter:
    hospital: Org
    partner: Org
    phone: str
    mri: ServedDevice
    monitor: ServedDevice


def give_phone(org: Org) -> str:
    phone = new_phone()
    with tenant_session(org.actor) as db:
        set_phone(db, org.actor, phone)
    return phone


@pytest.fixture
def reporter() -> Reporter:
    """A hospital nurse with a WhatsApp number, an MRI (class C) and a monitor (class B),
    both serviced by a partner."""
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    mri = make_served_device(hospital, partner, "MVI-MR15")
    monitor = make_served_device(hospital, partner, "MVI-PM12")
    return Reporter(hospital, partner, give_phone(hospital), mri, monitor)


def deliver(client, body: dict | bytes) -> list[str]:
    """POST the body signed, then process what was stored (as the worker would).
    Returns the states processing left."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = post_signed(client, raw)
    assert response.status_code == 200, response.text
    with system_session() as db:
        ids = db.exec(
            select(WhatsappInbound.id).where(
                WhatsappInbound.raw_body == raw, WhatsappInbound.state == "pending"
            )
        ).all()
    return [process_inbound(i) for i in ids]


@pytest.fixture
def cloud_api(monkeypatch):
    """A stand-in Cloud API; WHATSAPP_API_URL points at it for the test."""
    with cloud_api_server() as cloud:
        monkeypatch.setenv("WHATSAPP_API_URL", cloud.url)
        monkeypatch.setenv("WHATSAPP_TOKEN", "test-token")
        get_settings.cache_clear()
        yield cloud
    monkeypatch.delenv("WHATSAPP_API_URL")
    get_settings.cache_clear()
