"""Organisations that share a device or ticket cannot take it over."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.actor import Role, TenantKind
from services.db import tenant_session
from tests.factories import make_org, make_served_device


@pytest.fixture(scope="module")
def shared():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    served = make_served_device(hospital, partner, "MVI-US9")
    return hospital, partner, stranger, served.site_id, served.device_id, served.label_id


def test_a_servicing_partner_cannot_take_a_device_over(shared):
    hospital, partner, _stranger, _site, device, _label = shared
    with pytest.raises(DBAPIError, match="only the owner"), tenant_session(partner.actor) as db:
        db.execute(
            text("UPDATE equipment SET tenant_id = :p, facility_id = NULL WHERE id = :d"),
            {"p": partner.tenant.id, "d": device},
        )
    with tenant_session(partner.actor) as db:  # service fields stay open to the partner
        changed = db.execute(
            text("UPDATE equipment SET lifecycle_status = 'active' WHERE id = :d"), {"d": device}
        ).rowcount
    assert changed == 1


def test_a_partner_may_only_revoke_the_owners_label(shared):
    _hospital, partner, _stranger, _site, _device, label = shared
    with pytest.raises(DBAPIError, match="only be revoked"), tenant_session(partner.actor) as db:
        db.execute(text("UPDATE qr_code SET payload = 'Y1FORGED' WHERE id = :l"), {"l": label})


def test_nobody_files_tickets_into_another_hospital(shared):
    hospital, _partner, stranger, site, device, _label = shared
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        tenant_session(stranger.actor) as db,
    ):
        db.execute(
            text(
                "INSERT INTO ticket (tenant_id, equipment_id, service_partner_tenant_id, priority, "
                "description) VALUES (:h, :d, :s, 'P1', 'planted')"
            ),
            {"h": hospital.tenant.id, "d": device, "s": stranger.tenant.id},
        )


def test_a_device_cannot_be_placed_at_someone_elses_facility(shared):
    _hospital, _partner, stranger, site, _device, _label = shared
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        tenant_session(stranger.actor) as db,
    ):
        db.execute(
            text(
                "INSERT INTO equipment (tenant_id, manufacturer_tenant_id, sku_id, facility_id, "
                "serial_number) SELECT :t, tenant_id, id, :f, 'PLANTED-1' FROM sku "
                "WHERE code = 'MVI-US9'"
            ),
            {"t": stranger.tenant.id, "f": site},
        )
