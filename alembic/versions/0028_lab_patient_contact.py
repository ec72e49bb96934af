"""Lab patients' contact, so a patient can be told that a report is ready.

- `lab_patient.phone`: the patient's mobile in E.164 (`+919876543210`), from `PID-13`
  (home) or `PID-14` (business) of the lab's HL7 messages; '' when none could be read.
- `lab_patient.language`: the language the patient reads (`en`, `hi`, `ta`, `mr`), from
  `PID-15` (primary language); '' when unknown (notices then go out in English).
- `lab_order.ready_notified_at`: when the patient was told that this order's report is
  ready, so a result verified again, or a message processed again, tells nobody twice.

Consent to be told stays in `lab_consent` (purpose `report_ready`), versioned and revocable
like every other consent of the patient.

Revision ID: 0028_lab_patient_contact
Revises: 0027_parts_ops
Create Date: 2026-12-01
"""

from alembic import op

revision = "0028_lab_patient_contact"
down_revision = "0027_parts_ops"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE lab_patient
    ADD COLUMN phone VARCHAR(16) NOT NULL DEFAULT '',
    ADD COLUMN language VARCHAR(2) NOT NULL DEFAULT ''
        CHECK (language IN ('', 'en', 'hi', 'ta', 'mr'));
ALTER TABLE lab_order ADD COLUMN ready_notified_at TIMESTAMP WITH TIME ZONE;
"""

DOWNGRADE = """
ALTER TABLE lab_order DROP COLUMN IF EXISTS ready_notified_at;
ALTER TABLE lab_patient DROP COLUMN IF EXISTS language, DROP COLUMN IF EXISTS phone;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
