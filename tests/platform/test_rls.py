"""Tenant isolation is enforced by PostgreSQL itself, even for raw SQL."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.actor import Role, TenantKind
from services.db import app_engine, system_session, tenant_session
from services.devices.registry import RegisterDevice, register_device
from services.events.service import emit
from services.geo.models import HealthcareFacility
from services.identity.service import start_session
from services.rfq.models import Rfq, RfqItem
from services.tenancy.service import grant_access
from services.tickets.models import Ticket
from tests.conftest import ROOT
from tests.factories import make_org


def _tenant_tables() -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location(
        "core_migration", ROOT / "alembic" / "versions" / "0001_core.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TENANT_TABLES + ("qr_code", "qr_kit")


def _count_as(tenant_id: uuid.UUID | None, table: str, owner: uuid.UUID) -> int:
    """Raw SQL through the application role, with the tenant set like the app sets it."""
    with app_engine().connect() as con, con.begin():
        if tenant_id:
            con.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        return con.execute(text(f"SELECT count(*) FROM {table} WHERE tenant_id = :o"),
                           {"o": owner}).scalar_one()


def _populate(org, sku_code: str) -> None:
    """Rows of `org` in as many tenant-owned tables as a hospital touches."""
    actor = org.actor
    with tenant_session(actor) as db:
        site = HealthcareFacility(tenant_id=actor.tenant_id, name="RLS test site",
                                  pincode="110001", facility_type="hospital")
        db.add(site)
        db.flush()
        device, _label = register_device(db, actor, RegisterDevice(
            serial_number=f"RLS-{uuid.uuid4().hex[:10]}", sku_code=sku_code,
            facility_id=site.id, installation_date=date(2025, 1, 1)))
        rfq = Rfq(tenant_id=actor.tenant_id, title="RLS test RFQ", status="open")
        db.add(rfq)
        db.flush()
        db.add(RfqItem(tenant_id=actor.tenant_id, rfq_id=rfq.id, sku_id=device.sku_id, qty=1))
        db.add(Ticket(tenant_id=actor.tenant_id, equipment_id=device.id, facility_id=site.id,
                      priority="P2", description="RLS test"))
        emit(db, actor, "TicketOpened", "ticket", "x")
    start_session(actor)


@pytest.fixture(scope="module")
def two_hospitals():
    a = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    b = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    for org in (a, b):
        _populate(org, "MVI-US9")
    return a, b


def test_raw_sql_under_tenant_a_returns_none_of_tenant_bs_rows(two_hospitals):
    a, b = two_hospitals
    seen_by_b = {}
    for table in _tenant_tables():
        seen_by_b[table] = _count_as(b.tenant.id, table, b.tenant.id)
        assert _count_as(a.tenant.id, table, b.tenant.id) == 0, f"{table} leaks B's rows to A"
        assert _count_as(None, table, b.tenant.id) == 0, f"{table} leaks rows without a tenant"
    populated = {t for t, n in seen_by_b.items() if n > 0}
    assert {"healthcare_facilities", "equipment", "rfq", "rfq_item", "ticket", "audit_log",
            "outbox_event", "user_session", "users", "qr_code"} <= populated


def test_the_app_role_owns_nothing_and_cannot_bypass_rls():
    with app_engine().connect() as con:
        role = con.execute(text(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
        owned = con.execute(text(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user")).scalar_one()
    assert tuple(role) == (False, False)
    assert owned == 0
    with system_session() as db:
        flags = dict(db.execute(text(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(:t)"), {"t": list(_tenant_tables())}).all())
    assert flags == dict.fromkeys(_tenant_tables(), True)


def test_a_tenant_cannot_write_rows_of_another(two_hospitals):
    a, b = two_hospitals
    with pytest.raises(DBAPIError, match="row-level security"):
        with tenant_session(a.actor) as db:
            db.add(HealthcareFacility(tenant_id=b.tenant.id, name="Planted", pincode="110001",
                                      facility_type="hospital"))
    with tenant_session(a.actor) as db:
        changed = db.execute(text("UPDATE healthcare_facilities SET name = 'Renamed' "
                                  "WHERE tenant_id = :b"), {"b": b.tenant.id}).rowcount
    assert changed == 0


def test_devices_are_shared_only_through_an_explicit_grant():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    stranger = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    _populate(hospital, "MVI-DR2")
    _populate(hospital, "MVI-DR2")
    assert _count_as(partner.tenant.id, "equipment", hospital.tenant.id) == 0
    with tenant_session(hospital.actor) as db:
        one = db.execute(text("SELECT id FROM equipment LIMIT 1")).scalar_one()
        grant_access(db, hospital.actor, partner.tenant.id, "equipment", one)
    assert _count_as(partner.tenant.id, "equipment", hospital.tenant.id) == 1
    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "equipment")
    assert _count_as(partner.tenant.id, "equipment", hospital.tenant.id) == 2
    assert _count_as(stranger.tenant.id, "equipment", hospital.tenant.id) == 0


def test_the_catalog_is_public_but_only_its_oem_edits_it():
    buyer = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    with tenant_session(buyer.actor) as db:
        oem_id = db.execute(text("SELECT tenant_id FROM sku WHERE code = 'MVI-US9'")).scalar_one()
        visible = db.execute(text("SELECT count(*) FROM sku WHERE tenant_id = :o"),
                             {"o": oem_id}).scalar_one()
        changed = db.execute(text("UPDATE sku SET list_price_paise = 1 WHERE tenant_id = :o"),
                             {"o": oem_id}).rowcount
    assert visible >= 5 and changed == 0
