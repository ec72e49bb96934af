"""SMS in the message log: `notification_message.channel` may be 'sms' (one-time codes of
the public label report, sent through an HTTP gateway or recorded as sent offline).

Revision ID: 0031_service_day
Revises: 0030_telemetry_rules
Create Date: 2026-12-01
"""

from alembic import op

revision = "0031_service_day"
down_revision = "0030_telemetry_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE notification_message DROP CONSTRAINT IF EXISTS "
        "notification_message_channel_check"
    )
    op.execute(
        "ALTER TABLE notification_message ADD CONSTRAINT notification_message_channel_check "
        "CHECK (channel IN ('whatsapp', 'email', 'sms'))"
    )


def downgrade() -> None:
    op.execute("DELETE FROM notification_message WHERE channel = 'sms'")
    op.execute(
        "ALTER TABLE notification_message DROP CONSTRAINT IF EXISTS "
        "notification_message_channel_check"
    )
    op.execute(
        "ALTER TABLE notification_message ADD CONSTRAINT notification_message_channel_check "
        "CHECK (channel IN ('whatsapp', 'email'))"
    )
