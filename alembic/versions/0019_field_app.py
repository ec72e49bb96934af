"""The technician's field app: synced events with idempotency keys and job check-ins.

Revision ID: 0019_field_app
Revises: 0018_admin
Create Date: 2026-12-01
"""

from alembic import op  # noqa: F401

revision = "0019_field_app"
down_revision = "0018_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
