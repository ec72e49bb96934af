"""Service desk, contracts' coverage and device lifecycle.

Revision ID: 0026_service_desk
Revises: 0025_notify_channels
Create Date: 2026-12-01
"""

revision = "0026_service_desk"
down_revision = "0025_notify_channels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
