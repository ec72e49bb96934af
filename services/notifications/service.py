"""Writing notices for the people who must act, and each person's inbox (the bell).

A notice is for one person. It is written in that person's organisation (row-level
security keeps it there) and carries a link to the page of the thing it is about. Notices
come from outbox subscribers, which are delivered at least once, so a notice carries a
key: the same key for the same person is written once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from services.actor import Actor, Role
from services.errors import Invalid, NotFound
from services.notifications.models import Notification

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Notice:
    """What one notice says: its kind, title, a line of detail and the page it links to."""

    kind: str
    title: str
    body: str = ""
    link: str = ""
    key: str | None = None  # the same key for the same person is written once
    ticket_id: uuid.UUID | None = None


def people_with_roles(
    db: Session, tenant_id: uuid.UUID, roles: frozenset[Role] | set[Role] | list[str]
) -> list[tuple[uuid.UUID, str]]:
    """The active accounts of `tenant_id` holding one of `roles`, each with the first of
    those roles it holds (the role a notice reaches them by)."""
    wanted = sorted(str(r) for r in roles)
    rows = db.execute(
        text(
            "SELECT id, roles FROM users WHERE tenant_id = :t AND is_active "
            "AND NOT is_service_account AND roles && CAST(:roles AS text[]) ORDER BY id"
        ),
        {"t": tenant_id, "roles": wanted},
    ).all()
    return [(row.id, next(r for r in wanted if r in row.roles)) for row in rows]


def notify_users(
    db: Session, tenant_id: uuid.UUID, people: list[tuple[uuid.UUID, str]], notice: Notice
) -> int:
    """Write `notice` for each (user id, role) of `tenant_id`; a person who already has a
    notice with the same key gets no second one. Returns how many were written."""
    if not people:
        return 0
    now = datetime.now(UTC)  # not the transaction's start: notices of one change keep their order
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "tenant_id": tenant_id,
            "user_id": user_id,
            "role": role[:32],
            "kind": notice.kind[:40],
            "ticket_id": notice.ticket_id,
            "title": notice.title[:200],
            "body": notice.body[:2000],
            "link": notice.link[:300],
            "dedupe_key": notice.key[:160] if notice.key else None,
        }
        for user_id, role in people
    ]
    result = db.execute(insert(Notification).values(rows).on_conflict_do_nothing())
    return result.rowcount or 0


def notify_role(
    db: Session,
    tenant_id: uuid.UUID,
    roles: frozenset[Role] | set[Role] | list[str],
    notice: Notice,
) -> int:
    """Write `notice` for every active account of `tenant_id` holding one of `roles`.
    Returns how many were written."""
    return notify_users(db, tenant_id, people_with_roles(db, tenant_id, roles), notice)


def notices_for(actor: Actor) -> Callable[[dict[str, Any]], bool]:
    """Which live `notification_changed` notices (ids only) are about the actor's own
    notices: a page that follows them reads what changed under its own actor."""
    me, tenant = str(actor.user_id), str(actor.tenant_id)
    roles = {r.value for r in actor.roles}

    def mine(body: dict[str, Any]) -> bool:
        if body.get("tenantId") != tenant:
            return False
        reader = body.get("userId")
        return reader == me or (reader is None and body.get("role") in roles)

    return mine


def _mine(actor: Actor):
    """The actor's own notices, and the older ones written for a role they hold."""
    roles = [r.value for r in actor.roles]
    return (Notification.tenant_id == actor.tenant_id) & or_(
        Notification.user_id == actor.user_id,
        Notification.user_id.is_(None) & Notification.role.in_(roles),
    )


def _view(n: Notification) -> dict[str, Any]:
    link = n.link or (f"/tickets/{n.ticket_id}" if n.ticket_id else "")
    return {
        "id": str(n.id),
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "link": link,
        "ticketId": str(n.ticket_id) if n.ticket_id else "",
        "at": n.created_at.isoformat(),
        "unread": n.read_at is None,
    }


def inbox(
    db: Session, actor: Actor, limit: int = 15, offset: int = 0, unread_only: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """The actor's newest notices (`limit` from `offset`, only unread ones if asked) and
    how many of all their notices are unread. A caller with no account has none."""
    if actor.user_id is None:
        return [], 0
    mine = _mine(actor)
    unread = db.exec(
        select(func.count()).select_from(Notification).where(mine, Notification.read_at.is_(None))
    ).one()
    query = select(Notification).where(mine)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = db.exec(
        query.order_by(Notification.created_at.desc(), Notification.id).offset(offset).limit(limit)
    )
    return [_view(n) for n in rows], int(unread)


def inbox_page(
    db: Session, actor: Actor, limit: int = 20, offset: int = 0, unread_only: bool = False
) -> dict[str, Any]:
    """A page of the actor's notices, newest first, with how many there are in all (of the
    unread ones only, if asked) and how many are unread. Raises Invalid (limit outside 1
    to 100, offset below 0)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise Invalid("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise Invalid("offset", "must be 0 or more")
    items, unread = inbox(db, actor, limit, offset, unread_only)
    total = 0
    if actor.user_id is not None:
        query = select(func.count()).select_from(Notification).where(_mine(actor))
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        total = int(db.exec(query).one())
    return {"total": total, "unread": unread, "limit": limit, "offset": offset, "items": items}


def mark_read(db: Session, actor: Actor, notification_id: uuid.UUID) -> dict[str, Any]:
    """Mark one of the actor's notices as read (reading it twice changes nothing).
    Raises NotFound when it is not theirs."""
    notice = db.exec(
        select(Notification).where(_mine(actor), Notification.id == notification_id)
    ).first()
    if notice is None or actor.user_id is None:
        raise NotFound("No such notification of yours")
    if notice.read_at is None:
        notice.read_at = datetime.now(UTC)
        db.add(notice)
        db.flush()
    return _view(notice)


def mark_all_read(db: Session, actor: Actor) -> int:
    """Mark every unread notice of the actor as read; returns how many."""
    if actor.user_id is None:
        return 0
    unread = list(db.exec(select(Notification).where(_mine(actor), Notification.read_at.is_(None))))
    now = datetime.now(UTC)
    for notice in unread:
        notice.read_at = now
        db.add(notice)
    return len(unread)
