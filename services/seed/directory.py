"""Loading the demo directory (36,000 facilities on real pincodes) into the public
directory, once: the same upsert path as a CSV import, as the platform."""

from __future__ import annotations

import logging
import time

from sqlalchemy import text

from services.actor import Actor, Role, TenantKind
from services.db import system_session, tenant_session
from services.geo.demo_directory import build_directory
from services.geo.importer import upsert_directory
from services.geo.pincodes import read_package_rows

log = logging.getLogger(__name__)


def seed_directory(seed: int = 2026, total: int = 36_000) -> int:
    """Load the demo directory unless it is there; returns the facilities added."""
    with system_session() as db:
        if db.execute(
            text("SELECT EXISTS (SELECT 1 FROM healthcare_facilities WHERE source = 'demo')")
        ).scalar_one():
            return 0
        platform_id = db.execute(
            text("SELECT id FROM tenant WHERE kind = 'platform' ORDER BY created_at LIMIT 1")
        ).scalar_one_or_none()
    if platform_id is None:
        raise RuntimeError("the platform organisation must exist before the directory")
    started = time.monotonic()
    built = build_directory(read_package_rows(), seed=seed, total=total)
    actor = Actor(None, platform_id, TenantKind.PLATFORM, frozenset({Role.PLATFORM_ADMIN}), "seed")
    with tenant_session(actor) as db:
        created, _updated = upsert_directory(db, built.facilities, built.laboratories, "demo")
    log.info(
        "demo directory: %d facilities, %d laboratories in %.1f s",
        created,
        len(built.laboratories),
        time.monotonic() - started,
    )
    return created
