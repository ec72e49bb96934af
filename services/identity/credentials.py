"""Ending credentials: signing out, disabling an account, and the check every bearer
token passes against its account.

A token carries its account's token generation; signing out, disabling the account or
changing its roles or password moves the generation on in the database, and a token of
an older generation is refused. Each process remembers an account's state for at most
`credential_check_seconds`, so an ended token stops working everywhere within that time
(at once in the process that ended it).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.common.roles import ADMINS
from services.db import tenant_session
from services.errors import NotFound, Unauthorized
from services.identity.models import User
from services.settings import get_settings

REVOKED = "This access token has ended (signed out or account disabled); sign in again"


@dataclass(frozen=True)
class AccountState:
    is_active: bool
    generation: int


_states: dict[uuid.UUID, tuple[float, AccountState]] = {}
_states_lock = threading.Lock()


def _remembered(user_id: uuid.UUID) -> AccountState | None:
    with _states_lock:
        entry = _states.get(user_id)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def account_state(actor: Actor) -> AccountState:
    """The account's active flag and token generation, remembered for a short while."""
    remembered = _remembered(actor.user_id)
    if remembered is not None:
        return remembered
    with tenant_session(actor) as db:
        row = db.execute(text("SELECT * FROM auth_token_state(:u)"), {"u": actor.user_id}).first()
    state = (
        AccountState(bool(row.is_active), int(row.generation)) if row else AccountState(False, -1)
    )
    with _states_lock:
        _states[actor.user_id] = (time.monotonic() + get_settings().credential_check_seconds, state)
    return state


def forget(user_id: uuid.UUID) -> None:
    """Drop what this process remembers of an account (after changing it here)."""
    with _states_lock:
        _states.pop(user_id, None)


def check_current(actor: Actor, generation: int, state: AccountState | None = None) -> Actor:
    """The actor, if its account is active and the token's generation current.
    Raises Unauthorized otherwise."""
    state = state or account_state(actor)
    if not state.is_active or state.generation != generation:
        raise Unauthorized(REVOKED)
    return actor


async def check_current_async(actor: Actor, generation: int) -> Actor:
    """`check_current` without blocking the event loop: the database is asked in a worker
    thread, and only when this process no longer remembers the account."""
    state = _remembered(actor.user_id) or await asyncio.to_thread(account_state, actor)
    return check_current(actor, generation, state)


def end_credentials(actor: Actor) -> None:
    """Sign the actor out everywhere: every bearer token and browser session ends."""
    with tenant_session(actor) as db:
        db.execute(text("SELECT identity_end_credentials(:u)"), {"u": actor.user_id})
        audit.record(
            db, actor, "auth.logout", "user", actor.user_id, "signed out: tokens and sessions ended"
        )
    forget(actor.user_id)


def set_user_active(db: Session, actor: Actor, user_id: uuid.UUID, active: bool) -> User:
    """Enable or disable an account of the actor's organisation (any, for the platform).
    Disabling ends its tokens and sessions. Raises Forbidden (not an admin) or NotFound."""
    actor.require(*ADMINS)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such account")
    changed = db.execute(
        text("SELECT identity_set_active(:u, :a)"), {"u": user_id, "a": active}
    ).scalar_one()
    if changed:
        audit.record(
            db,
            actor,
            "user.enable" if active else "user.disable",
            "user",
            user_id,
            "account enabled" if active else "account disabled: its tokens and sessions ended",
        )
    db.refresh(user)
    forget(user_id)
    return user
