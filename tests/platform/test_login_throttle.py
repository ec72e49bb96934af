"""Passwords cannot be guessed: failed sign-ins lock the account and the client address,
for longer each time, on the API and in the service the sign-in page calls."""

from __future__ import annotations

import threading
import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from services.errors import TooManyAttempts, Unauthorized
from services.identity import passwords
from services.identity.service import authenticate
from services.settings import get_settings
from tests.factories import PASSWORD, make_org

TOKEN = "/api/v1/auth/token"


def _address() -> str:
    """A client address no other test uses (TEST-NET-3 and benchmark ranges)."""
    n = uuid.uuid4().int
    return f"203.0.{n % 250}.{(n >> 8) % 250 + 1}"


def _owner_sql(sql: str, **params) -> list:
    with system_session() as db:
        result = db.execute(text(sql), params)
        return result.all() if result.returns_rows else []


@pytest.fixture
def api():
    """An API client whose client address each call chooses."""
    from fastapi.testclient import TestClient

    from app.api import create_api

    app = create_api()
    clients: dict[str, TestClient] = {}

    def post(address: str, email: str, password: str):
        if address not in clients:
            clients[address] = TestClient(app, client=(address, 50000))
        return clients[address].post(TOKEN, data={"username": email, "password": password})

    yield post
    for test_client in clients.values():
        test_client.close()


def _expire_locks(email: str) -> None:
    """Time passes: the account's lock runs out (its count of locks stays)."""
    _owner_sql(
        "UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE key = :k",
        k=f"account:{email}",
    )


def test_thirty_wrong_passwords_lock_the_account_for_longer_each_time(api):
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    address = _address()
    answers = [api(address, org.email, f"guess-{i:04d}-wrong") for i in range(30)]
    statuses = [a.status_code for a in answers]
    limit = get_settings().login_max_failures
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert statuses[limit - 1 :] == [429] * (30 - limit + 1), "locked from the 5th failure on"
    first_wait = int(answers[limit - 1].headers["Retry-After"])
    assert first_wait == get_settings().login_lock_minutes * 60
    error = answers[-1].json()["error"]
    assert error["code"] == "too_many_requests" and "Try again in" in error["message"]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= first_wait

    right = api(address, org.email, PASSWORD)
    assert right.status_code == 429, "the right password is refused while the account is locked"
    assert api(_address(), org.email, PASSWORD).status_code == 429, "from anywhere"

    _expire_locks(org.email)
    again = [api(address, org.email, f"second-{i}-wrong") for i in range(limit)]
    assert [a.status_code for a in again] == [401] * (limit - 1) + [429]
    assert int(again[-1].headers["Retry-After"]) == 2 * first_wait, "the lock doubles"

    [(locks,)] = _owner_sql(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.locked' "
        "AND entity_id = :u AND tenant_id = :t",
        u=str(org.actor.user_id),
        t=org.tenant.id,
    )
    assert locks == 2, "each lock is in the organisation's audit trail"


def test_a_correct_password_clears_the_accounts_count(api):
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    address = _address()
    limit = get_settings().login_max_failures
    for i in range(limit - 1):
        assert api(address, org.email, f"typo-{i}-password").status_code == 401
    assert api(address, org.email, PASSWORD).status_code == 200
    for i in range(limit - 1):
        assert api(address, org.email, f"typo-{i}-again").status_code == 401


def test_one_address_guessing_across_many_accounts_is_locked(api, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_max_failures_per_address", 4)
    victim = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
    attacker = _address()
    answers = [
        api(attacker, f"person{i}.{uuid.uuid4().hex[:6]}@hospital.in", "password123")
        for i in range(4)
    ]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert api(attacker, victim.email, PASSWORD).status_code == 429, (
        "every account is refused from the locked address"
    )
    assert api(_address(), victim.email, PASSWORD).status_code == 200, (
        "the account itself is not locked: other addresses still sign in"
    )
    [(locks,)] = _owner_sql(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.locked' "
        "AND entity = 'address' AND entity_id = :a",
        a=attacker,
    )
    assert locks == 1


def test_the_service_the_sign_in_page_calls_throttles_too():
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    address = _address()
    for i in range(get_settings().login_max_failures - 1):
        with pytest.raises(Unauthorized):
            authenticate(org.email, f"wrong-{i}-password", client_address=address)
    with pytest.raises(TooManyAttempts) as locked:
        authenticate(org.email, "wrong-last-password", client_address=address)
    assert locked.value.retry_after == get_settings().login_lock_minutes * 60
    assert locked.value.message == "Too many failed sign-ins. Try again in 15 minutes."
    with pytest.raises(TooManyAttempts):
        authenticate(org.email, PASSWORD, client_address=address)


def test_an_unknown_email_costs_the_same_hash_check_as_a_wrong_password(monkeypatch):
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    checked: list[str] = []

    class CountingHasher(PasswordHasher):
        """The real argon2id verification, counted."""

        def verify(self, stored, password) -> bool:
            checked.append(stored)
            return super().verify(stored, password)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher())
    with pytest.raises(Unauthorized) as unknown:
        authenticate(f"nobody.{uuid.uuid4().hex[:8]}@nowhere.in", PASSWORD, _address())
    with pytest.raises(Unauthorized) as wrong:
        authenticate(org.email, PASSWORD + "!", _address())
    assert unknown.value.message == wrong.value.message
    assert len(checked) == 2, "one argon2id verification each"
    dummy, real = checked
    assert dummy == passwords._DUMMY_HASH
    same_cost = dummy.split("$")[3] == real.split("$")[3]  # m=…,t=…,p=…
    assert same_cost, "the dummy hash is as expensive as a stored one"


def test_hashing_is_bounded_and_an_excess_sign_in_is_asked_to_retry(monkeypatch):
    org = make_org(TenantKind.OEM, Role.OEM_SALES)
    slots = threading.BoundedSemaphore(1)
    monkeypatch.setattr(passwords, "_slots", slots)
    monkeypatch.setattr(get_settings(), "password_hash_wait_seconds", 0.05)
    slots.acquire()  # another sign-in is hashing
    try:
        with pytest.raises(TooManyAttempts) as busy:
            authenticate(org.email, PASSWORD, _address())
        assert "signing in right now" in busy.value.message
    finally:
        slots.release()
    assert authenticate(org.email, PASSWORD, _address()).user_id == org.actor.user_id


def test_an_over_long_password_is_refused_before_hashing(client):
    response = client.post(
        TOKEN,
        data={"username": "someone@hospital.in", "password": "x" * (passwords.MAX_PASSWORD + 1)},
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "password"
