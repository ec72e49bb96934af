"""Finding entries in the audit trail: by organisation, by who acted, by action and by a
range of India's dates, a page at a time, and the same selection as a CSV file.

Row-level security decides what the caller sees: an organisation's admin their own
organisation's entries, the platform every entry."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_
from sqlmodel import Session, func, select

from services.audit.models import AuditEntry
from services.common.clock import IST
from services.errors import Invalid
from services.rendering import csv_row

MAX_EXPORT = 50_000
CSV_HEADER = ("seq", "when_ist", "organisation", "who", "action", "entity", "entity_id", "summary")


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; None means any."""

    tenant_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    action: str | None = None  # an exact action, or a family: "user" finds "user.*"
    since: date | None = None  # India's date, inclusive
    until: date | None = None  # India's date, inclusive

    @classmethod
    def parse(
        cls, organisation: str = "", user: str = "", action: str = "", since: str = "", until=""
    ) -> AuditFilter:
        """A filter from the text of a form or a query. Raises Invalid naming the field."""
        found = cls(
            tenant_id=_uuid("organisation", organisation),
            actor_id=_uuid("user", user),
            action=None if (action or "").strip() in ("", "all") else action.strip()[:80],
            since=_date("from", since),
            until=_date("to", until),
        )
        found.check()
        return found

    def check(self) -> None:
        """Raises Invalid("to", ...) when the range ends before it starts."""
        if self.since and self.until and self.until < self.since:
            raise Invalid("to", "the range ends before it starts")


def _uuid(field: str, value: str) -> uuid.UUID | None:
    value = (value or "").strip()
    if not value or value == "all":
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Invalid(field, "is not one of the choices") from exc


def _date(field: str, value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(field, "must be a date like 2026-12-01") from exc


def _ist_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, IST).astimezone(UTC)


def _where(stmt, found: AuditFilter):
    if found.tenant_id:
        stmt = stmt.where(AuditEntry.tenant_id == found.tenant_id)
    if found.actor_id:
        stmt = stmt.where(AuditEntry.actor_id == found.actor_id)
    if found.action:
        stmt = stmt.where(
            or_(AuditEntry.action == found.action, AuditEntry.action.startswith(found.action + "."))
        )
    if found.since:
        stmt = stmt.where(AuditEntry.created_at >= _ist_midnight(found.since))
    if found.until:
        stmt = stmt.where(AuditEntry.created_at < _ist_midnight(found.until + timedelta(days=1)))
    return stmt


def search(
    db: Session, found: AuditFilter, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """One page of matching entries, newest first, and how many match in all."""
    found.check()
    rows = db.exec(
        _where(select(AuditEntry), found)
        .order_by(AuditEntry.seq.desc())
        .offset(offset)
        .limit(limit)
    )
    total = db.exec(_where(select(func.count()).select_from(AuditEntry), found)).one()
    return list(rows), int(total)


def action_names(db: Session) -> list[str]:
    """The actions the caller's entries carry, for a filter's choices."""
    return sorted(db.exec(select(AuditEntry.action).distinct()))


def to_csv(db: Session, found: AuditFilter, names: dict[uuid.UUID, str]) -> str:
    """Matching entries (newest first, at most 50,000) as CSV, times in IST. `names` maps
    organisation ids to names. Every cell passes `csv_cell`, so a summary that starts with
    `=` opens in a spreadsheet as text, never as a formula."""
    found.check()
    rows = db.exec(
        _where(select(AuditEntry), found).order_by(AuditEntry.seq.desc()).limit(MAX_EXPORT)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for e in rows:
        writer.writerow(
            csv_row(
                [
                    e.seq,
                    e.created_at.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S"),
                    names.get(e.tenant_id, "") if e.tenant_id else "platform",
                    e.actor_label,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.summary,
                ]
            )
        )
    return out.getvalue()
