"""Writing and verifying the audit trail.

The database assigns each entry its place in the chain and its hash (trigger
`audit_chain`) and refuses UPDATE, DELETE and TRUNCATE. `verify_chain` recomputes
every hash here, independently of the database functions, so a tampered row or a
tampered trigger is caught.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.audit.models import AuditEntry

GENESIS = "0" * 64


def record(
    db: Session, actor: Actor, action: str, entity: str, entity_id: object, summary: str = ""
) -> None:
    """Append one entry in the caller's transaction. `summary` must carry no patient data."""
    db.add(
        AuditEntry(
            tenant_id=actor.tenant_id,
            actor_id=actor.user_id,
            actor_label=actor.label[:254],
            action=action,
            entity=entity,
            entity_id=str(entity_id or "")[:80],
            summary=summary[:500],
            seq=None,
        )
    )


def recent(db: Session, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
    """The newest entries the actor's tenant may see (row-level security applies)."""
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).offset(offset).limit(limit)
    return list(db.exec(stmt))


def canonical(entry: AuditEntry) -> str:
    """The text an entry's hash is taken over. Version 2 (every entry since migration
    0006) prefixes each field with its length, so no field can bleed into the next;
    version 1 joined them with '|'."""
    created = entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
        str(entry.seq),
        str(entry.id),
        str(entry.tenant_id or ""),
        str(entry.actor_id or ""),
        entry.actor_label,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.summary,
        created,
        entry.prev_hash,
    ]
    if entry.hash_version == 1:
        return "|".join(fields)
    return "".join(f"{len(f)}:{f};" for f in fields)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_seq: int | None
    reason: str

    @property
    def is_intact(self) -> bool:
        return self.first_bad_seq is None


def verify_chain(db: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain (owner session) and report the first tampered entry."""
    expected_prev, expected_seq, checked, last_seq = GENESIS, 1, 0, 0
    while True:
        rows = list(
            db.exec(
                select(AuditEntry)
                .where(AuditEntry.seq > last_seq)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
        )
        if not rows:
            return ChainReport(checked, None, "intact")
        for entry in rows:
            if entry.seq != expected_seq:
                return ChainReport(checked, expected_seq, "an entry is missing from the chain")
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, entry.seq, "the link to the previous entry is broken")
            digest = hashlib.sha256(canonical(entry).encode()).hexdigest()
            if digest != entry.hash:
                return ChainReport(checked, entry.seq, "the entry was altered after it was written")
            expected_prev, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
            checked += 1


def count(db: Session) -> int:
    return int(db.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
