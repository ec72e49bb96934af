"""Failed sign-ins counted per account and per client address, in PostgreSQL so every
process shares them. The database functions lock a key that reaches its limit, double the
lock on each repetition, and write each lock to the audit trail."""

from __future__ import annotations

from sqlalchemy import text

from services.db import public_session
from services.settings import get_settings


def wait_seconds(email: str, address: str | None) -> int:
    """Seconds before the account or the address may try again; 0 when neither is locked."""
    with public_session() as db:
        return int(
            db.execute(
                text("SELECT auth_throttle_wait(:e, :a)"), {"e": email, "a": address or ""}
            ).scalar_one()
        )


def record_failure(email: str, address: str | None) -> int:
    """Count one failed sign-in; the seconds of the lock it starts, or 0."""
    settings = get_settings()
    with public_session() as db:
        return int(
            db.execute(
                text("SELECT auth_login_failed(:e, :a, :account, :address, :window, :lock, :cap)"),
                {
                    "e": email,
                    "a": address or None,
                    "account": settings.login_max_failures,
                    "address": settings.login_max_failures_per_address,
                    "window": settings.login_window_minutes * 60,
                    "lock": settings.login_lock_minutes * 60,
                    "cap": settings.login_max_lock_hours * 3600,
                },
            ).scalar_one()
        )


def record_success(email: str) -> None:
    """A correct password clears the account's count (never the address's)."""
    with public_session() as db:
        db.execute(text("SELECT auth_login_succeeded(:e)"), {"e": email})
