"""Notifications over channels and languages.

Revision ID: 0025_notify_channels
Revises: 0024_whatsapp
Create Date: 2026-12-01
"""

revision = "0025_notify_channels"
down_revision = "0024_whatsapp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
