"""Tenant isolation is enforced by PostgreSQL itself, even for raw SQL through the app role."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from services.actor import Role, TenantKind
from services.catalog.service import create_sku
from services.contracts.models import Contract
from services.db import app_engine, system_session, tenant_session
from services.devices.models import (
    DeviceRegistrationBatch,
    LabelPrintJob,
    ManufacturerDeviceFeed,
    QrDeploymentLog,
    QrKit,
)
from services.devices.registry import RegisterDevice, register_device
from services.dispatch.models import DispatchPlan, Technician
from services.events.models import EventDelivery
from services.events.service import emit
from services.geo.models import (
    HealthcareFacility,
    HealthcareFacilityEquipment,
    Laboratory,
    ServiceArea,
    TechnicianCoverage,
)
from services.identity.admin import reset_password
from services.identity.service import start_session
from services.notifications.models import Notification
from services.parts.models import FaultPart, Part, PartReservation, PartStock, SkuPart
from services.rfq.models import Quote, Rfq, RfqItem
from services.sla.models import SlaPolicy
from services.tenancy.service import grant_access
from services.tickets.models import Ticket, TicketAttachment, TicketEvent
from tests.factories import Org, make_org

MIGRATION = Path(__file__).resolve().parents[2] / "alembic" / "versions" / "0001_core.py"


def _migration_tenant_tables() -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location("migration_0001_core", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.TENANT_TABLES)


TENANT_TABLES = _migration_tenant_tables()
# Tenant-owned tables added by later migrations, under the same rule.
LATER_TENANT_TABLES = (
    "qr_code",
    "qr_kit",
    "sla_policy",
    "ticket_event",
    "ticket_attachment",
    "notification",
    "technician",
    "part",
    "part_stock",
    "part_reservation",
    "sku_part",
    "fault_part",
    "dispatch_plan",
    "account_link",
    "label_print_job",
)
# A buyer's purchase orders and orders, read by their seller (tests/orders covers both).
TRADE_TABLES = ("purchase_order", "sales_order", "order_attachment")
# The field app's rows, kept apart by tenant (tests/field covers who sees what).
FIELD_TABLES = ("field_workflow", "field_visit", "field_step", "sync_event")
# The failure model's scores and preemptive watches (tests/telemetry covers who sees what).
PREDICTION_TABLES = ("failure_prediction", "preemptive_watch")
# Contracts' renewal marks and preventive visits (tests/contracts covers who sees what).
CONTRACT_TABLES = ("contract_renewal_alert", "preventive_visit")
# WhatsApp intake (tests/whatsapp covers who sees what); rows of an unknown number have
# no tenant and show to the owner connection only.
WHATSAPP_TABLES = ("whatsapp_inbound", "whatsapp_conversation", "whatsapp_message")
# The lab: channels, messages and results, and the console's verification, critical values,
# consents and analyzer alarms (tests/lab covers who sees what).
LAB_TABLES = (
    "lab_channel",
    "lab_test_code",
    "lab_message",
    "lab_patient",
    "lab_order",
    "lab_result",
    "lab_review",
    "lab_critical",
    "lab_consent",
    "lab_watch",
    "lab_alarm",
    "lab_hours",
)
# Telemetry, shared by the device's owner and its manufacturer (tests/telemetry covers it);
# the readings' daily partitions are reached through their parent only.
TELEMETRY_TABLES = (
    "telemetry_credential",
    "telemetry_reading",
    "telemetry_rollup",
    "telemetry_quarantine",
    "telemetry_alarm",
    "telemetry_rule",
)
# Notices by channel and language, parts movements and public label reports.
NOTICE_TABLES = ("notification_message", "notification_preference")
PARTS_TABLES = ("part_movement", "part_reorder", "public_report")
LATER_GROUPS = (
    TRADE_TABLES,
    FIELD_TABLES,
    PREDICTION_TABLES,
    CONTRACT_TABLES,
    WHATSAPP_TABLES,
    LAB_TABLES,
    TELEMETRY_TABLES,
    NOTICE_TABLES,
    PARTS_TABLES,
)
# Shared with every signed-in organisation on purpose (the catalog test below covers it).
# The catalog, and a provider's service network (hubs and technician coverage), are
# what organisations offer each other: readable by every signed-in one, writable by the
# owner only (checked below).
PUBLIC_BY_DESIGN = {"sku", "service_areas", "technician_coverage"}


@contextmanager
def _as_app(tenant_id: uuid.UUID | None, user_id: uuid.UUID | None = None) -> Iterator[Connection]:
    """A transaction as the application role, with the tenant (and the signed-in user) set
    the way the app sets them."""
    with app_engine().connect() as con, con.begin():
        if tenant_id is not None:
            con.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        if user_id is not None:
            con.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": str(user_id)})
        yield con


def _ids_as(tenant_id: uuid.UUID | None, table: str, owner: uuid.UUID) -> set[uuid.UUID]:
    with _as_app(tenant_id) as con:
        return set(
            con.execute(
                text(f"SELECT id FROM {table} WHERE tenant_id = :o"), {"o": owner}
            ).scalars()
        )


def _count_as(
    tenant_id: uuid.UUID | None, table: str, owner: uuid.UUID, user_id: uuid.UUID | None = None
) -> int:
    with _as_app(tenant_id, user_id) as con:
        return con.execute(
            text(f"SELECT count(*) FROM {table} WHERE tenant_id = :o"), {"o": owner}
        ).scalar_one()


def _fresh_oem(*sku_codes: str) -> Org:
    oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    with tenant_session(oem.actor) as db:
        for code in sku_codes:
            create_sku(
                db,
                oem.actor,
                code,
                f"Test device {code}",
                "Ultrasound",
                "B",
                12_50_000_00,
                Decimal("12"),
            )
    return oem


def _install_device(org: Org, sku_code: str, site_id: uuid.UUID | None = None):
    """A hospital registers a device of `sku_code` (at a new site unless given one)."""
    actor = org.actor
    with tenant_session(actor) as db:
        if site_id is None:
            site = HealthcareFacility(
                tenant_id=actor.tenant_id,
                name="RLS test site",
                pincode="110001",
                facility_type="hospital",
            )
            db.add(site)
            db.flush()
            site_id = site.id
        device, label = register_device(
            db,
            actor,
            RegisterDevice(
                serial_number=f"RLS-{uuid.uuid4().hex[:10]}",
                sku_code=sku_code,
                facility_id=site_id,
                installation_date=date(2025, 1, 1),
            ),
        )
    return device, label


def _fill_every_table(org: Org, oem: Org, sku_code: str) -> None:
    """Rows of `org` in every tenant-owned table but the catalog. Rows a hospital would not
    write itself (quotes, service areas, bulk feeds) are planted as the same tenant: row-level
    security does not look at the kind of organisation."""
    device, label = _install_device(org, sku_code)  # equipment, qr_code, audit, outbox
    tid, actor = org.tenant.id, org.actor
    with tenant_session(actor) as db:
        grant_access(db, actor, oem.tenant.id, "facility", device.facility_id)
        rfq = Rfq(tenant_id=tid, title="RLS test RFQ", status="open")
        policy = SlaPolicy(tenant_id=tid, name="RLS gold", tier="gold", targets={})
        batch = DeviceRegistrationBatch(tenant_id=tid, external_batch_id=uuid.uuid4().hex)
        area = ServiceArea(
            tenant_id=tid,
            name="RLS hub",
            hub_pincode="110001",
            hub_latitude=28.63,
            hub_longitude=77.22,
        )
        event = emit(db, actor, "TicketOpened", "ticket", "rls")
        db.add_all([rfq, policy, batch, area, event])
        db.flush()
        ticket = Ticket(
            tenant_id=tid,
            equipment_id=device.id,
            facility_id=device.facility_id,
            sla_policy_id=policy.id,
            priority="P2",
            description="RLS test",
        )
        db.add(ticket)
        db.flush()
        db.add_all(
            [
                RfqItem(tenant_id=tid, rfq_id=rfq.id, sku_id=device.sku_id, qty=1),
                Quote(tenant_id=tid, rfq_id=rfq.id, buyer_tenant_id=tid, amount_paise=100),
                Contract(tenant_id=tid, seller_tenant_id=oem.tenant.id, rfq_id=rfq.id),
                TicketEvent(tenant_id=tid, ticket_id=ticket.id, kind="opened"),
                TicketAttachment(
                    tenant_id=tid,
                    ticket_id=ticket.id,
                    file_name="fault.jpg",
                    content_type="image/jpeg",
                    data=b"\xff\xd8",
                ),
                Notification(tenant_id=tid, role="buyer_admin", ticket_id=ticket.id, title="RLS"),
                EventDelivery(
                    tenant_id=tid, event_id=event.id, subscriber="rls-test", status="delivered"
                ),
                ManufacturerDeviceFeed(
                    tenant_id=tid,
                    import_batch_id=batch.id,
                    row_number=1,
                    serial_number=device.serial_number,
                    sku_code=sku_code,
                    device_id=device.id,
                ),
                QrKit(tenant_id=tid, batch_id=batch.id),
                LabelPrintJob(tenant_id=tid, device_ids=[str(device.id)], label_count=1),
                QrDeploymentLog(tenant_id=tid, qr_id=label.id, device_id=device.id, is_valid=True),
                TechnicianCoverage(
                    tenant_id=tid, technician_id=actor.user_id, service_area_id=area.id
                ),
                Laboratory(
                    tenant_id=tid, facility_id=device.facility_id, name="RLS lab", pincode="110001"
                ),
                HealthcareFacilityEquipment(tenant_id=tid, facility_id=device.facility_id),
                DispatchPlan(tenant_id=tid),
            ]
        )
        part = Part(tenant_id=tid, code="RLS-PART", name="RLS part")
        db.add_all([part, Technician(tenant_id=tid, user_id=actor.user_id, home_area_id=area.id)])
        db.flush()
        db.add_all(
            [
                PartStock(tenant_id=tid, area_id=area.id, part_id=part.id, on_hand=2, reserved=1),
                PartReservation(
                    tenant_id=tid, ticket_id=ticket.id, part_id=part.id, area_id=area.id, qty=1
                ),
                SkuPart(tenant_id=tid, sku_id=device.sku_id, part_id=part.id),
                FaultPart(tenant_id=tid, sku_id=device.sku_id, error_code="E-1", part_id=part.id),
            ]
        )
    start_session(actor)
    with tenant_session(actor) as db:
        reset_password(db, actor, actor.user_id)  # an account_link row


@pytest.fixture(scope="module")
def two_hospitals() -> tuple[Org, Org]:
    code = f"RLS-{uuid.uuid4().hex[:8]}".upper()
    oem = _fresh_oem(code)
    a = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    b = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    for org in (a, b):
        _fill_every_table(org, oem, code)
    return a, b


def test_hospital_a_sees_none_of_hospital_bs_rows_in_any_table(two_hospitals):
    a, b = two_hospitals
    for table in (*TENANT_TABLES, *LATER_TENANT_TABLES):
        if table in PUBLIC_BY_DESIGN:
            continue
        # Session rows show to their own user only (tests/platform/test_defence.py).
        b_user, a_user = (
            (b.actor.user_id, a.actor.user_id) if table == "user_session" else (None, None)
        )
        assert _count_as(b.tenant.id, table, b.tenant.id, b_user) > 0, (
            f"arrange: B has no {table} row"
        )
        assert _count_as(a.tenant.id, table, b.tenant.id, a_user) == 0, (
            f"{table} leaks B's rows to A"
        )


def test_without_a_tenant_the_app_role_sees_no_tenant_rows(two_hospitals):
    for table in (*TENANT_TABLES, *LATER_TENANT_TABLES, *(t for g in LATER_GROUPS for t in g)):
        with _as_app(None) as con:
            seen = con.execute(
                text(f"SELECT count(*) FROM {table} WHERE tenant_id IS NOT NULL")
            ).scalar_one()
        assert seen == 0, f"{table} shows tenant rows to a connection with no tenant"


def test_the_app_role_owns_nothing_and_cannot_bypass_rls():
    with _as_app(None) as con:
        role = con.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owned = con.execute(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                "AND tableowner = current_user"
            )
        ).scalar_one()
    assert (role.rolsuper, role.rolbypassrls) == (False, False)
    assert owned == 0


def test_every_tenant_table_has_forced_row_level_security():
    with system_session() as db:
        with_tenant_column = set(
            db.execute(
                text(
                    "SELECT c.table_name FROM information_schema.columns c "
                    "JOIN pg_class k ON k.relname = c.table_name "
                    "WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' "
                    "AND NOT k.relispartition"
                )
            ).scalars()
        )
        flags = {
            row.relname: (row.relrowsecurity, row.relforcerowsecurity)
            for row in db.execute(
                text(
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE relkind IN ('r', 'p') AND relname = ANY(:t)"
                ),
                {"t": list(with_tenant_column)},
            )
        }
    listed = set(TENANT_TABLES) | set(LATER_TENANT_TABLES)
    assert listed.union(*LATER_GROUPS) == with_tenant_column
    assert flags == dict.fromkeys(with_tenant_column, (True, True))


def test_partitions_are_reached_through_their_parent_only():
    """A reading's daily partition has no policy of its own: the app role may not read it
    directly, only through the partitioned table, whose policies apply."""
    with system_session() as db:
        partitions = list(
            db.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r' "
                    "AND relname LIKE 'telemetry_reading_%'"
                )
            ).scalars()
        )
    assert partitions
    for table in partitions:
        with pytest.raises(DBAPIError, match="permission denied"):
            with _as_app(None) as con:
                con.execute(text(f"SELECT count(*) FROM {table}"))


def test_a_tenant_cannot_plant_rows_in_another(two_hospitals):
    a, b = two_hospitals
    with pytest.raises(DBAPIError, match="row-level security"):
        with tenant_session(a.actor) as db:
            db.add(
                HealthcareFacility(
                    tenant_id=b.tenant.id,
                    name="Planted",
                    pincode="110001",
                    facility_type="hospital",
                )
            )
    with pytest.raises(DBAPIError, match="row-level security"), _as_app(a.tenant.id) as con:
        con.execute(
            text(
                "INSERT INTO rfq (tenant_id, title, status, terms) "
                "VALUES (:b, 'Planted', 'open', '')"
            ),
            {"b": b.tenant.id},
        )
    assert _count_as(b.tenant.id, "rfq", b.tenant.id) == 1


@pytest.mark.parametrize(
    "table,change",
    [
        ("healthcare_facilities", "name = 'Renamed by A'"),
        ("equipment", "lifecycle_status = 'decommissioned'"),
        ("rfq", "title = 'Renamed by A'"),
        ("ticket", "priority = 'P4'"),
        ("users", "full_name = 'Renamed by A'"),
        ("service_areas", "max_response_time_hours = 99"),
        ("technician_coverage", "specialties = '[]'"),
    ],
)
def test_a_tenant_cannot_change_or_delete_rows_of_another(two_hospitals, table, change):
    a, b = two_hospitals
    with _as_app(a.tenant.id) as con:
        updated = con.execute(
            text(f"UPDATE {table} SET {change} WHERE tenant_id = :b"), {"b": b.tenant.id}
        ).rowcount
    assert updated == 0
    with _as_app(b.tenant.id) as con:  # the owner can, so the refusal above is RLS at work
        assert (
            con.execute(
                text(f"UPDATE {table} SET {change} WHERE tenant_id = :b"), {"b": b.tenant.id}
            ).rowcount
            > 0
        )
        con.rollback()
    with _as_app(a.tenant.id) as con:
        deleted = con.execute(
            text("DELETE FROM user_session WHERE tenant_id = :b"), {"b": b.tenant.id}
        ).rowcount
    assert deleted == 0 and _count_as(b.tenant.id, "user_session", b.tenant.id, b.actor.user_id) > 0


def test_devices_are_shared_with_a_partner_only_through_an_explicit_grant():
    code = f"GRT-{uuid.uuid4().hex[:8]}".upper()
    _fresh_oem(code)
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    stranger = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    first, _ = _install_device(hospital, code)
    second, _ = _install_device(hospital, code, first.facility_id)
    owner = hospital.tenant.id
    assert _ids_as(owner, "equipment", owner) == {first.id, second.id}
    assert _ids_as(partner.tenant.id, "equipment", owner) == set()

    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "equipment", second.id)
    assert _ids_as(partner.tenant.id, "equipment", owner) == {second.id}

    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "equipment")
    assert _ids_as(partner.tenant.id, "equipment", owner) == {first.id, second.id}
    assert _ids_as(stranger.tenant.id, "equipment", owner) == set()


def test_the_catalog_is_public_but_only_its_oem_edits_it():
    codes = [f"CAT-{uuid.uuid4().hex[:8]}".upper() for _ in range(2)]
    oem = _fresh_oem(*codes)
    buyer = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    assert _count_as(buyer.tenant.id, "sku", oem.tenant.id) == 2
    raise_price = "UPDATE sku SET list_price_paise = list_price_paise + 1 WHERE tenant_id = :o"
    with _as_app(buyer.tenant.id) as con:
        assert con.execute(text(raise_price), {"o": oem.tenant.id}).rowcount == 0
        assert (
            con.execute(text("DELETE FROM sku WHERE tenant_id = :o"), {"o": oem.tenant.id}).rowcount
            == 0
        )
    with _as_app(oem.tenant.id) as con:
        assert con.execute(text(raise_price), {"o": oem.tenant.id}).rowcount == 2
