"""Telemetry: device credentials, readings, quarantine, alarms.

Revision ID: 0022_telemetry
Revises: 0021_lab_console
Create Date: 2026-12-01
"""

revision = "0022_telemetry"
down_revision = "0021_lab_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
