"""Lab: channels, raw message store, results.

Revision ID: 0020_lab_ingest
Revises: 0019_field_app
Create Date: 2026-12-01
"""

revision = "0020_lab_ingest"
down_revision = "0019_field_app"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
