"""Reserved: telemetry rules and credentials on the device page.

Revision ID: 0030_telemetry_rules
Revises: 0029_lab_console_admin
Create Date: 2026-12-01
"""

revision = "0030_telemetry_rules"
down_revision = "0029_lab_console_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
