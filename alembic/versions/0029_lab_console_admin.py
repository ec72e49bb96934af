"""Reserved: the lab console's administration.

Revision ID: 0029_lab_console_admin
Revises: 0028_lab_patient_contact
Create Date: 2026-12-01
"""

revision = "0029_lab_console_admin"
down_revision = "0028_lab_patient_contact"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
