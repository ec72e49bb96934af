"""A database of its own for the demo service day: `make run` writes the day, the other
tests keep to the small demo, so the day is seeded here and never where they run."""

from __future__ import annotations

import os
import time

import psycopg
import pytest

from tests.conftest import DB_NAME, DEMO_PASSWORD, SERVER_URL


@pytest.fixture(scope="module")
def service_day():
    """The small demo (as `prepare` writes it) and then the service day, in a database of
    this module's; yields how long the day took to write and what it wrote."""
    import services.models  # noqa: F401  (every table known to the ORM)
    from app.cli import migrate
    from app.embedded import ensure_database
    from services.db import system_session
    from services.geo.pincodes import load_pincodes
    from services.seed.day_plan import plan_service_day
    from services.seed.demo import seed_demo
    from services.seed.service_day import seed_service_day
    from services.settings import get_settings

    name = f"{DB_NAME}_day"
    previous = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = ensure_database(SERVER_URL, name)
    get_settings.cache_clear()
    try:
        migrate()
        with system_session() as db:
            load_pincodes(db)
        seed_demo(DEMO_PASSWORD)
        started = time.perf_counter()
        opened, assigned = seed_service_day(), plan_service_day()
        yield {"opened": opened, "assigned": assigned, "seconds": time.perf_counter() - started}
    finally:
        os.environ["DATABASE_URL"] = previous
        get_settings.cache_clear()
        with psycopg.connect(SERVER_URL, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
