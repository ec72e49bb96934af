"""Password hashing with argon2id, a bounded number at a time.

Each hash takes 64 MiB and tens of milliseconds of CPU, so a flood of sign-ins could
exhaust the machine: at most `password_hash_concurrency` run at once, and a sign-in that
cannot get a turn within `password_hash_wait_seconds` is asked to retry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.errors import TooManyAttempts
from services.settings import get_settings

MAX_PASSWORD = 256  # characters; longer input is refused before any hashing
_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _hash_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(get_settings().password_hash_concurrency)
        return _slots


@contextmanager
def _hash_turn() -> Iterator[None]:
    slots = _hash_slots()
    if not slots.acquire(timeout=get_settings().password_hash_wait_seconds):
        raise TooManyAttempts(
            5, "Many people are signing in right now. Try again in a few seconds."
        )
    try:
        yield
    finally:
        slots.release()


def hash_password(password: str) -> str:
    with _hash_turn():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only for a stored hash that matches. Without a hash (unknown account) the
    dummy hash is verified instead, so both cost the same. Raises TooManyAttempts when no
    hashing turn frees up in time."""
    with _hash_turn():
        try:
            return (
                _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False
