"""Specifications of catalog items and trade synonyms for search.

Revision ID: 0014_catalog_specs
Revises: 0013_negotiation_award
Create Date: 2026-12-01
"""

from alembic import op  # noqa: F401

revision = "0014_catalog_specs"
down_revision = "0013_negotiation_award"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
