"""WhatsApp intake: inbound payloads, conversations, message log.

Revision ID: 0024_whatsapp
Revises: 0023_failure_prediction
Create Date: 2026-12-01
"""

revision = "0024_whatsapp"
down_revision = "0023_failure_prediction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
