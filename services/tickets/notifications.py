"""The in-app inbox: notices for the roles a user holds in their organisation (SLA
breaches for dispatchers, escalations for service managers and OEM admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from services.actor import Actor
from services.tickets.models import Notification


def inbox(db: Session, actor: Actor, limit: int = 15) -> tuple[list[dict[str, Any]], int]:
    """The newest notices for the actor's roles and how many are unread."""
    roles = [r.value for r in actor.roles]
    mine = (Notification.tenant_id == actor.tenant_id) & Notification.role.in_(roles)
    unread = db.exec(
        select(func.count()).select_from(Notification).where(mine, Notification.read_at.is_(None))
    ).one()
    rows = db.exec(
        select(Notification).where(mine).order_by(Notification.created_at.desc()).limit(limit)
    )
    return [
        {
            "id": str(n.id),
            "title": n.title,
            "body": n.body,
            "ticketId": str(n.ticket_id) if n.ticket_id else "",
            "at": n.created_at.isoformat(),
            "unread": n.read_at is None,
        }
        for n in rows
    ], unread


def mark_all_read(db: Session, actor: Actor) -> int:
    """Mark every unread notice for the actor's roles as read; returns how many."""
    roles = [r.value for r in actor.roles]
    unread = list(
        db.exec(
            select(Notification).where(
                Notification.tenant_id == actor.tenant_id,
                Notification.role.in_(roles),
                Notification.read_at.is_(None),
            )
        )
    )
    now = datetime.now(UTC)
    for notice in unread:
        notice.read_at = now
        db.add(notice)
    return len(unread)
