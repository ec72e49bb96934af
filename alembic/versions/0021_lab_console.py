"""Lab console: verification, critical values, consent, analyzer health.

Revision ID: 0021_lab_console
Revises: 0020_lab_ingest
Create Date: 2026-12-01
"""

revision = "0021_lab_console"
down_revision = "0020_lab_ingest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
