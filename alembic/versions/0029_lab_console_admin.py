"""Working hours per laboratory, which its analyzers' watches inherit.

- `lab_hours`: per laboratory, when it works (`opens`, `closes` in IST, `workdays` 0
  Monday to 6 Sunday, or round the clock). An analyzer that falls silent counts only
  within these hours.
- `lab_watch`'s hours become optional: a channel with no hours of its own keeps its
  laboratory's (and 08:00 to 20:00, Monday to Saturday, when the laboratory set none).

Revision ID: 0029_lab_console_admin
Revises: 0028_lab_patient_contact
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0029_lab_console_admin"
down_revision = "0028_lab_patient_contact"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE lab_hours (
    laboratory_id UUID PRIMARY KEY REFERENCES laboratories (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    opens TIME NOT NULL DEFAULT '08:00',
    closes TIME NOT NULL DEFAULT '20:00',
    workdays INTEGER[] NOT NULL DEFAULT '{0,1,2,3,4,5}',
    round_the_clock BOOLEAN NOT NULL DEFAULT false,
    updated_by UUID REFERENCES users (id),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CHECK (round_the_clock OR opens < closes)
);
ALTER TABLE lab_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE lab_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY lab_hours_tenant ON lab_hours USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
CREATE INDEX lab_hours_tenant_id ON lab_hours (tenant_id, laboratory_id);
CREATE POLICY lab_hours_owner ON lab_hours FOR ALL TO CURRENT_USER USING (true);

ALTER TABLE lab_watch ALTER COLUMN opens DROP NOT NULL, ALTER COLUMN opens DROP DEFAULT,
    ALTER COLUMN closes DROP NOT NULL, ALTER COLUMN closes DROP DEFAULT,
    ALTER COLUMN workdays DROP NOT NULL, ALTER COLUMN workdays DROP DEFAULT,
    ALTER COLUMN round_the_clock DROP NOT NULL, ALTER COLUMN round_the_clock DROP DEFAULT;
"""

DOWNGRADE = """
UPDATE lab_watch SET opens = coalesce(opens, '08:00'), closes = coalesce(closes, '20:00'),
    workdays = coalesce(workdays, '{0,1,2,3,4,5}'),
    round_the_clock = coalesce(round_the_clock, false);
ALTER TABLE lab_watch ALTER COLUMN opens SET DEFAULT '08:00', ALTER COLUMN opens SET NOT NULL,
    ALTER COLUMN closes SET DEFAULT '20:00', ALTER COLUMN closes SET NOT NULL,
    ALTER COLUMN workdays SET DEFAULT '{0,1,2,3,4,5}', ALTER COLUMN workdays SET NOT NULL,
    ALTER COLUMN round_the_clock SET DEFAULT false, ALTER COLUMN round_the_clock SET NOT NULL;
DROP TABLE IF EXISTS lab_hours;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON lab_hours TO {get_settings().app_db_role}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
