"""The audit trail is written with every change, append-only and hash-chained."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from services.actor import Role, TenantKind
from services.audit import service as audit
from services.audit.models import AuditEntry
from services.audit.service import canonical, verify_chain
from services.catalog.service import create_sku
from services.db import app_engine, system_session, tenant_session
from services.identity.service import create_user
from services.tenancy.service import grant_access
from tests.factories import PASSWORD, make_org, platform_admin


def _entries_about(entity_id: object) -> list:
    """Committed entries about one entity, as the owner (who sees every tenant's)."""
    with system_session() as db:
        return db.execute(
            text("SELECT * FROM audit_log WHERE entity_id = :e ORDER BY seq"), {"e": str(entity_id)}
        ).all()


def _count_of_tenant(tenant_id: uuid.UUID) -> int:
    with system_session() as db:
        return db.execute(
            text("SELECT count(*) FROM audit_log WHERE tenant_id = :t"), {"t": tenant_id}
        ).scalar_one()


def _new_sku_code() -> str:
    return f"AUD-{uuid.uuid4().hex[:8]}".upper()


@contextmanager
def _tampering() -> Iterator[Session]:
    """An owner transaction with the append-only trigger switched off; always rolled back."""
    with system_session() as db:
        db.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"))
        try:
            yield db
        finally:
            db.rollback()


def _seq_from_the_end(db: Session, back: int) -> int:
    return db.execute(text("SELECT max(seq) - :b FROM audit_log"), {"b": back}).scalar_one()


def test_adding_a_sku_writes_one_entry_in_the_same_transaction():
    oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    code = _new_sku_code()
    with tenant_session(oem.actor) as db:
        sku = create_sku(
            db, oem.actor, code, "Audit test pump", "Infusion pump", "C", 1_00_000_00, Decimal("12")
        )
        db.flush()
        inside = db.execute(
            text("SELECT count(*) FROM audit_log WHERE entity_id = :e"), {"e": str(sku.id)}
        ).scalar_one()
        assert (inside, len(_entries_about(sku.id))) == (1, 0), "written, not yet committed"
    [entry] = _entries_about(sku.id)
    assert (entry.action, entry.entity, entry.entity_id) == ("sku.create", "sku", str(sku.id))
    assert (entry.tenant_id, entry.actor_id, entry.actor_label) == (
        oem.tenant.id,
        oem.actor.user_id,
        oem.email,
    )
    assert code in entry.summary


def test_a_failed_request_leaves_no_entry():
    oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    before = _count_of_tenant(oem.tenant.id)
    with pytest.raises(RuntimeError), tenant_session(oem.actor) as db:
        sku = create_sku(db, oem.actor, _new_sku_code(), "Rolled back", "Infusion pump", "C", 100)
        db.flush()
        raise RuntimeError("the request failed after the change")
    assert _count_of_tenant(oem.tenant.id) == before
    assert _entries_about(sku.id) == []


def test_granting_access_and_creating_an_account_are_audited():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    facility_id = uuid.uuid4()
    with tenant_session(hospital.actor) as db:
        grant_access(db, hospital.actor, partner.tenant.id, "facility", facility_id)
    [grant] = _entries_about(facility_id)
    assert (grant.action, grant.entity, grant.tenant_id, grant.actor_id) == (
        "grant.create",
        "facility",
        hospital.tenant.id,
        hospital.actor.user_id,
    )
    assert str(partner.tenant.id) in grant.summary

    admin = platform_admin()
    with tenant_session(admin) as db:
        user = create_user(
            db,
            admin,
            hospital.tenant,
            f"new.{uuid.uuid4().hex[:8]}@test.in",
            "New Buyer",
            ["buyer_user"],
            PASSWORD,
        )
    [created] = _entries_about(user.id)
    assert (created.action, created.entity, created.tenant_id, created.actor_label) == (
        "user.create",
        "user",
        admin.tenant_id,
        "test-admin",
    )
    assert PASSWORD not in created.summary


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET summary = 'rewritten'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(statement):
    verb = statement.split()[0]
    oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    with tenant_session(oem.actor) as db:  # an entry the OEM itself may read
        create_sku(db, oem.actor, _new_sku_code(), "Append-only test", "Monitor", "B", 500)
    before = _count_of_tenant(oem.tenant.id)
    with pytest.raises(DBAPIError, match="permission denied for table audit_log"):
        with app_engine().connect() as con, con.begin():
            con.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(oem.tenant.id)}
            )
            con.execute(text(statement))
    with pytest.raises(DBAPIError, match=f"append-only: {verb} is not allowed"):
        with system_session() as db:  # not even the owner, a superuser here
            db.execute(text(statement))
    assert _count_of_tenant(oem.tenant.id) == before == 1


def test_the_real_chain_is_intact():
    with system_session() as db:
        report = verify_chain(db)
        total = db.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    assert report.is_intact and report.reason == "intact"
    assert report.checked == total > 0


def test_an_edited_summary_is_found_at_its_entry():
    with _tampering() as db:
        target = _seq_from_the_end(db, 3)
        db.execute(
            text("UPDATE audit_log SET summary = summary || ' (edited)' WHERE seq = :s"),
            {"s": target},
        )
        report = verify_chain(db)
        assert (report.is_intact, report.first_bad_seq) == (False, target)
        assert "altered" in report.reason
    with system_session() as db:
        assert verify_chain(db).is_intact


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link():
    with _tampering() as db:
        target = _seq_from_the_end(db, 4)
        db.execute(
            text("UPDATE audit_log SET actor_label = 'someone else' WHERE seq = :s"), {"s": target}
        )
        db.execute(
            text(
                "UPDATE audit_log a SET hash = encode(sha256(convert_to("
                "audit_canonical_v2(a), 'UTF8')), 'hex') WHERE seq = :s"
            ),
            {"s": target},
        )
        report = verify_chain(db)
        assert report.first_bad_seq == target + 1
        assert "link" in report.reason
    with system_session() as db:
        assert verify_chain(db).is_intact


def test_a_deleted_entry_is_found():
    with _tampering() as db:
        middle = _seq_from_the_end(db, 5)
        db.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": middle})
        report = verify_chain(db)
        assert (report.is_intact, report.first_bad_seq) == (False, middle)
        assert "missing" in report.reason
    with system_session() as db:
        assert verify_chain(db).is_intact
        enabled = db.execute(
            text("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_log_no_update'")
        ).scalar_one()
    assert enabled == "O", "the append-only trigger is back on after the rollback"


def test_each_entry_links_to_the_one_before():
    oem = make_org(TenantKind.OEM, Role.OEM_SALES)
    with tenant_session(oem.actor) as db:
        sku = create_sku(db, oem.actor, _new_sku_code(), "Link test", "Monitor", "B", 500)
    [entry] = _entries_about(sku.id)
    with system_session() as db:
        previous = db.execute(
            text("SELECT * FROM audit_log WHERE seq = :s"), {"s": entry.seq - 1}
        ).one()
        recent = db.execute(text("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 50")).all()
    assert entry.prev_hash == previous.hash != entry.hash
    for newer, older in zip(recent, recent[1:], strict=False):
        assert (newer.seq, newer.prev_hash) == (older.seq + 1, older.hash)


def test_the_verifier_and_the_database_hash_the_same_text():
    with system_session() as db:
        seq = _seq_from_the_end(db, 0)
        entry_id = db.execute(
            text("SELECT id FROM audit_log WHERE seq = :s"), {"s": seq}
        ).scalar_one()
        entry = db.get(AuditEntry, entry_id)
        in_db = db.execute(
            text("SELECT audit_canonical_v2(a) FROM audit_log a WHERE seq = :s"), {"s": seq}
        ).scalar_one()
    assert entry.hash_version == 2 and canonical(entry) == in_db
    assert hashlib.sha256(in_db.encode()).hexdigest() == entry.hash
    entry.summary += "."
    assert hashlib.sha256(canonical(entry).encode()).hexdigest() != entry.hash


def test_moving_a_separator_between_fields_changes_the_hash():
    """'x|y' + 'z' and 'x' + 'y|z' once read the same; length prefixes tell them apart,
    and the database and the verifier still agree on awkward text."""
    oem = make_org(TenantKind.OEM, Role.OEM_SALES)
    with tenant_session(oem.actor) as db:
        audit.record(db, oem.actor, "test.sep", "sku", "x|y", "z")
        audit.record(db, oem.actor, "test.sep", "sku", "x", "y|z")
        audit.record(db, oem.actor, "test.sep", "sku", "3:a;", "ünïcødé ₹ 1:;|")
    with system_session() as db:
        rows = db.execute(
            text(
                "SELECT * FROM audit_log WHERE action = 'test.sep' AND tenant_id = :t ORDER BY seq"
            ),
            {"t": oem.tenant.id},
        ).all()
        first, second, third = (db.get(AuditEntry, r.id) for r in rows)
        assert verify_chain(db).is_intact
    second.seq, second.id, second.created_at, second.prev_hash = (
        first.seq,
        first.id,
        first.created_at,
        first.prev_hash,
    )
    assert canonical(first) != canonical(second)
    assert third.hash == hashlib.sha256(canonical(third).encode()).hexdigest()
