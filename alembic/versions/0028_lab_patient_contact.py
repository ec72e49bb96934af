"""Reserved: lab patients' contact for reports ready.

Revision ID: 0028_lab_patient_contact
Revises: 0027_parts_ops
Create Date: 2026-12-01
"""

revision = "0028_lab_patient_contact"
down_revision = "0027_parts_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
