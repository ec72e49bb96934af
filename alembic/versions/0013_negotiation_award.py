"""Accepted offers in the negotiation room and quote terms for the buyer.

Revision ID: 0013_negotiation_award
Revises: 0012_login_defence
Create Date: 2026-12-01
"""

from alembic import op  # noqa: F401

revision = "0013_negotiation_award"
down_revision = "0012_login_defence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
