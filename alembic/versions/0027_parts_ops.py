"""Parts operations and public label reports.

Revision ID: 0027_parts_ops
Revises: 0026_service_desk
Create Date: 2026-12-01
"""

revision = "0027_parts_ops"
down_revision = "0026_service_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
