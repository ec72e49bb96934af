"""Failure prediction: scores and preemptive tickets.

Revision ID: 0023_failure_prediction
Revises: 0022_telemetry
Create Date: 2026-12-01
"""

revision = "0023_failure_prediction"
down_revision = "0022_telemetry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
