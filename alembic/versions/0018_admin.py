"""Invitations, password resets and audit filters for administrators.

Revision ID: 0018_admin
Revises: 0017_labels_acceptance
Create Date: 2026-12-01
"""

from alembic import op  # noqa: F401

revision = "0018_admin"
down_revision = "0017_labels_acceptance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
