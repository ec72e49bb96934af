"""Label print jobs and acceptance records of deliveries and installations.

Revision ID: 0017_labels_acceptance
Revises: 0016_notifications
Create Date: 2026-12-01
"""

from alembic import op  # noqa: F401

revision = "0017_labels_acceptance"
down_revision = "0016_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
