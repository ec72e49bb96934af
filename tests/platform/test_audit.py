"""The audit trail is append-only, hash-chained and written with every change."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.actor import Role, TenantKind
from services.audit.service import canonical, verify_chain
from services.catalog.service import create_sku
from services.db import app_engine, system_session, tenant_session
from tests.factories import make_org


def _entries(tenant_id, action: str) -> int:
    with system_session() as db:
        return db.execute(text("SELECT count(*) FROM audit_log WHERE tenant_id = :t "
                               "AND action = :a"), {"t": tenant_id, "a": action}).scalar_one()


def test_a_change_writes_one_entry_in_its_transaction_or_none():
    oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)
    with tenant_session(oem.actor) as db:
        sku = create_sku(db, oem.actor, "AUD-1", "Audit test pump", "Infusion pump", "C",
                         1_00_000_00, Decimal("12"))
    assert _entries(oem.tenant.id, "sku.create") == 1
    with system_session() as db:
        entry = db.execute(text("SELECT * FROM audit_log WHERE entity_id = :e"),
                           {"e": str(sku.id)}).one()
    assert (entry.actor_label, entry.entity, entry.tenant_id) == (
        oem.email, "sku", oem.tenant.id)
    assert entry.actor_id == oem.actor.user_id

    with pytest.raises(RuntimeError), tenant_session(oem.actor) as db:
        create_sku(db, oem.actor, "AUD-2", "Rolled back", "Infusion pump", "C", 100)
        raise RuntimeError("the request failed after the change")
    assert _entries(oem.tenant.id, "sku.create") == 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET summary = 'changed'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
])
def test_the_database_refuses_to_change_or_remove_entries(statement):
    with pytest.raises(DBAPIError, match="append-only|permission denied"):
        with app_engine().connect() as con, con.begin():
            con.execute(text(statement))
    with pytest.raises(DBAPIError, match="append-only"):
        with system_session() as db:  # not even the owner
            db.execute(text(statement))


def test_entries_link_by_hash():
    with system_session() as db:
        rows = db.execute(text("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 20")).all()
    for newer, older in zip(rows, rows[1:], strict=False):
        assert newer.seq == older.seq + 1
        assert newer.prev_hash == older.hash


def test_the_chain_is_intact_and_tampering_is_found():
    with system_session() as db:
        assert verify_chain(db).is_intact
    with system_session() as db:
        target = db.execute(text("SELECT max(seq) - 3 FROM audit_log")).scalar_one()
        db.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"))
        db.execute(text("UPDATE audit_log SET summary = summary || ' (edited)' WHERE seq = :s"),
                   {"s": target})
        report = verify_chain(db)
        assert not report.is_intact
        assert report.first_bad_seq == target
        assert "altered" in report.reason
        db.rollback()
    with system_session() as db:
        middle = db.execute(text("SELECT max(seq) - 5 FROM audit_log")).scalar_one()
        db.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"))
        db.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": middle})
        report = verify_chain(db)
        assert report.first_bad_seq == middle and "missing" in report.reason
        db.rollback()
    with system_session() as db:
        assert verify_chain(db).is_intact


def test_the_hash_covers_every_field():
    with system_session() as db:
        from services.audit.models import AuditEntry
        entry = db.get(AuditEntry, db.execute(text(
            "SELECT id FROM audit_log ORDER BY seq DESC LIMIT 1")).scalar_one())
    assert hashlib.sha256(canonical(entry).encode()).hexdigest() == entry.hash
    entry.summary += "."
    assert hashlib.sha256(canonical(entry).encode()).hexdigest() != entry.hash
