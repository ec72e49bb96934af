"""Alembic builds the schema every model expects, and can be taken down and up again."""

from __future__ import annotations

import uuid

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from app.embedded import ensure_database
from services.db import _sqlalchemy_url
from services.models import metadata
from tests.conftest import ROOT, SERVER_URL


def _alembic(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = _sqlalchemy_url(url)
    return cfg


def test_migrated_schema_has_every_model_table_and_column(database_url):
    inspector = inspect(create_engine(_sqlalchemy_url(database_url)))
    tables = set(inspector.get_table_names())
    for table in metadata.sorted_tables:
        assert table.name in tables, f"migration lacks table {table.name}"
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        missing = {c.name for c in table.columns} - columns
        assert not missing, f"{table.name} lacks columns {missing}"


def test_downgrade_to_base_and_upgrade_again():
    name = f"yantra_mig_{uuid.uuid4().hex[:8]}"
    url = ensure_database(SERVER_URL, name)
    try:
        command.upgrade(_alembic(url), "head")
        command.downgrade(_alembic(url), "base")
        with psycopg.connect(url) as con:
            left = con.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            ).fetchone()[0]
        assert left == 0
        command.upgrade(_alembic(url), "head")
        with psycopg.connect(url) as con:
            assert con.execute("SELECT to_regclass('public.audit_log')").fetchone()[0]
    finally:
        with psycopg.connect(SERVER_URL, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
