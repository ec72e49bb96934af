"""Each person's choices: the language of their notices, and per kind of notice the
channels it reaches them on (in-app, WhatsApp, e-mail).

A person who never chose gets English and each kind's default channels. Choices are read
and written by that person only (row-level security adds that for signed-in users)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.columns import utcnow
from services.errors import Forbidden, Invalid
from services.notifications.models import NotificationPreference
from services.notifications.templates import CHANNELS, KINDS, LANGUAGES, language_names


def choices_of(db: Session, user_id: uuid.UUID) -> tuple[str, dict[str, list[str]]]:
    """The language and the channels of every kind of notice for `user_id` (defaults for
    what they never chose)."""
    row = db.get(NotificationPreference, user_id)
    chosen = row.channels if row is not None else {}
    channels = {
        kind: [c for c in CHANNELS if c in chosen.get(kind, spec.default)]
        for kind, spec in KINDS.items()
    }
    return (row.language if row is not None else "en"), channels


def contact_of(db: Session, user_id: uuid.UUID) -> dict[str, str]:
    """The account's name, e-mail and WhatsApp number ('' when it has none)."""
    row = db.execute(
        text(
            "SELECT full_name, email, coalesce(to_jsonb(u) ->> 'phone', '') AS phone "
            "FROM users u WHERE id = :u AND is_active"
        ),
        {"u": user_id},
    ).first()
    if row is None:
        return {"name": "", "email": "", "phone": ""}
    return {"name": row.full_name or "", "email": row.email or "", "phone": row.phone or ""}


def preferences_view(db: Session, actor: Actor) -> dict[str, Any]:
    """What the actor chose, with the kinds, channels and languages on offer and the
    addresses their notices go to. Raises Forbidden for a caller with no account."""
    if actor.user_id is None:
        raise Forbidden("Only a signed-in person has notification preferences")
    language, channels = choices_of(db, actor.user_id)
    contact = contact_of(db, actor.user_id)
    return {
        "language": language,
        "channels": channels,
        "kinds": [{"kind": k, "label": spec.label} for k, spec in KINDS.items()],
        "languages": [{"code": c, "name": n} for c, n in language_names().items()],
        "whatsappNumber": contact["phone"],
        "email": contact["email"],
    }


def _checked_channels(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise Invalid("channels", "must map each kind of notice to a list of channels")
    checked: dict[str, list[str]] = {}
    for kind, wanted in raw.items():
        if kind not in KINDS:
            raise Invalid("channels", f"'{kind}' is not a kind of notice; use {', '.join(KINDS)}")
        if not isinstance(wanted, list) or any(c not in CHANNELS for c in wanted):
            raise Invalid(f"channels.{kind}", f"must be a list of {', '.join(CHANNELS)}")
        checked[kind] = [c for c in CHANNELS if c in wanted]
    return checked


def save_preferences(db: Session, actor: Actor, change: dict[str, Any]) -> dict[str, Any]:
    """Save the actor's language and/or channels (kinds not named keep what they had);
    returns the view as after the change. Raises Forbidden (no account) or Invalid
    (language not offered, unknown kind or channel)."""
    if actor.user_id is None:
        raise Forbidden("Only a signed-in person has notification preferences")
    unknown = set(change) - {"language", "channels"}
    if unknown:
        raise Invalid(sorted(unknown)[0], "is not a preference; send language and channels")
    language = change.get("language")
    if language is not None and language not in LANGUAGES:
        raise Invalid("language", f"must be one of {', '.join(LANGUAGES)}")
    channels = _checked_channels(change.get("channels", {}))
    row = db.get(NotificationPreference, actor.user_id) or NotificationPreference(
        user_id=actor.user_id, tenant_id=actor.tenant_id
    )
    if language is not None:
        row.language = language
    row.channels = {**(row.channels or {}), **channels}
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return preferences_view(db, actor)
