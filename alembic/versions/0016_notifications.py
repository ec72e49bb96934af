"""In-app notifications for the people who must act.

Revision ID: 0016_notifications
Revises: 0015_dispatch_p1
Create Date: 2026-12-01
"""

from alembic import op  # noqa: F401

revision = "0016_notifications"
down_revision = "0015_dispatch_p1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
