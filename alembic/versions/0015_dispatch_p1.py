"""Dispatch plans that keep their history and round-the-clock starts.

Revision ID: 0015_dispatch_p1
Revises: 0014_catalog_specs
Create Date: 2026-12-01
"""

from alembic import op  # noqa: F401

revision = "0015_dispatch_p1"
down_revision = "0014_catalog_specs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
