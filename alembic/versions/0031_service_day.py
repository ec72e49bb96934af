"""Reserved: the service day (urgent slot-in, living demo).

Revision ID: 0031_service_day
Revises: 0030_telemetry_rules
Create Date: 2026-12-01
"""

revision = "0031_service_day"
down_revision = "0030_telemetry_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
