"""Test session set-up: a database of its own, migrated by Alembic, dropped at the end.

The machine's PostgreSQL and Redis are used when reachable; otherwise an embedded
PostgreSQL is started and Celery uses it as its broker.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from app.embedded import ensure_database, port_open, start_postgres

ROOT = Path(__file__).resolve().parent.parent
# The environment as the user's shell gave it, before this file points the tests at their
# own database and keys: tests that start the platform the way a user does start from it.
USER_ENV = dict(os.environ)
RUN_ID = uuid.uuid4().hex[:8]
DB_NAME = f"yantra_test_{RUN_ID}"


EMBEDDED_TEST_PG = ROOT / "var" / "test-pg"
_started_embedded = False


def _server_url() -> str:
    global _started_embedded
    if os.environ.get("TEST_DATABASE_SERVER"):
        return os.environ["TEST_DATABASE_SERVER"]
    if port_open("127.0.0.1", 5432):
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    _started_embedded = not port_open("127.0.0.1", 54339)
    return start_postgres(EMBEDDED_TEST_PG, 54339)


SERVER_URL = _server_url()
os.environ["DATABASE_URL"] = ensure_database(SERVER_URL, DB_NAME)
os.environ.pop("APP_DATABASE_URL", None)
os.environ["TOKEN_SIGNING_KEY"] = f"test-signing-key-{RUN_ID}-0123456789abcdef"
os.environ["QR_SIGNING_KEYS"] = f"1:test-qr-key-one-{RUN_ID},2:test-qr-key-two-{RUN_ID}"
os.environ["QR_ACTIVE_KEY_ID"] = "2"
os.environ["DEMO_PASSWORD"] = "yantra-demo"
os.environ["CELERY_QUEUE"] = f"yantra-test-{RUN_ID}"
os.environ["VAR_DIR"] = str(ROOT / "var" / f"test-{RUN_ID}")
if os.environ.get("TEST_WITHOUT_REDIS"):
    os.environ.pop("REDIS_URL", None)
elif port_open("127.0.0.1", 6379):
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/14"
else:
    os.environ.pop("REDIS_URL", None)


def pytest_configure(config: pytest.Config) -> None:
    from app.cli import prepare
    from services.settings import get_settings

    get_settings.cache_clear()
    prepare()


def pytest_unconfigure(config: pytest.Config) -> None:
    import psycopg

    from services.db import reset_engines
    from services.events.live import reset_hub

    reset_hub()  # the live listener lets go before its database is dropped
    reset_engines()
    with psycopg.connect(SERVER_URL, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    if _started_embedded:  # stop what this run started, and only that
        from app.embedded import stop_postgres

        stop_postgres(EMBEDDED_TEST_PG)


@pytest.fixture(scope="session")
def database_url() -> str:
    return os.environ["DATABASE_URL"]


DEMO_PASSWORD = "yantra-demo"


_client_count = 0


@pytest.fixture(scope="module")
def client():
    """One in-process API client per test module, each from an address of its own (as
    separate machines would be), so failed sign-ins of one module never lock another's."""
    from fastapi.testclient import TestClient

    from app.api import create_api

    global _client_count
    _client_count += 1
    address = f"198.18.{_client_count // 250}.{_client_count % 250 + 1}"
    with TestClient(create_api(), client=(address, 50000)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def token(client):
    """`token(email, password="yantra-demo")`: the access token of a password grant."""
    issued: dict[tuple[str, str], str] = {}

    def issue(email: str, password: str = DEMO_PASSWORD) -> str:
        if (email, password) not in issued:
            response = client.post(
                "/api/v1/auth/token", data={"username": email, "password": password}
            )
            assert response.status_code == 200, response.text
            issued[(email, password)] = response.json()["access_token"]
        return issued[(email, password)]

    return issue


@pytest.fixture(scope="module")
def auth(token):
    """Authorization headers: `auth("buyer_admin")` for the demo account of a role, or
    `auth(email, password)` for any account."""

    def headers(login: str, password: str = DEMO_PASSWORD) -> dict:
        email = login if "@" in login else f"{login}@demo.yantra.in"
        return {"Authorization": f"Bearer {token(email, password)}"}

    return headers
