"""Alarm rules an OEM's service manager sets, and when a device credential was last used.

- `telemetry_rule`: an OEM's own numbers for one alarm rule of a device type (the rule and
  its defaults are in `services/telemetry/rules.py`), or for one device: the limit (a
  threshold, or a rate per minute), the clear level (hysteresis), the minimum duration
  (for a silence rule, how long without data) and the priority. `tenant_id` is the OEM's;
  the organisations owning its devices may read the rules that watch them.
- `telemetry_credential.last_used_at`: when the broker last admitted the credential.

Revision ID: 0030_telemetry_rules
Revises: 0029_lab_console_admin
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0030_telemetry_rules"
down_revision = "0029_lab_console_admin"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE telemetry_rule (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    device_type VARCHAR(60) NOT NULL,
    device_id UUID REFERENCES equipment (id),
    rule VARCHAR(60) NOT NULL,
    limit_value DOUBLE PRECISION NOT NULL,
    clear_value DOUBLE PRECISION NOT NULL,
    min_duration_s INTEGER NOT NULL CHECK (min_duration_s BETWEEN 0 AND 604800),
    priority VARCHAR(2) NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    updated_by UUID REFERENCES users (id),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX telemetry_rule_by_type ON telemetry_rule (tenant_id, device_type, rule)
    WHERE device_id IS NULL;
CREATE UNIQUE INDEX telemetry_rule_by_device ON telemetry_rule (device_id, rule)
    WHERE device_id IS NOT NULL;
CREATE INDEX telemetry_rule_tenant_id ON telemetry_rule (tenant_id, id);

ALTER TABLE telemetry_rule ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry_rule FORCE ROW LEVEL SECURITY;
CREATE POLICY telemetry_rule_tenant ON telemetry_rule USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
-- A hospital reads the limits watching its own devices (its device page draws them), never
-- another owner's device rules.
CREATE POLICY telemetry_rule_owner_reads ON telemetry_rule FOR SELECT USING (
    EXISTS (SELECT 1 FROM equipment e
             WHERE e.tenant_id = app_tenant()
               AND e.manufacturer_tenant_id = telemetry_rule.tenant_id
               AND (telemetry_rule.device_id IS NULL OR e.id = telemetry_rule.device_id)));
CREATE POLICY telemetry_rule_owner ON telemetry_rule FOR ALL TO CURRENT_USER USING (true);

ALTER TABLE telemetry_credential ADD COLUMN last_used_at TIMESTAMP WITH TIME ZONE;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON telemetry_rule TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE telemetry_credential DROP COLUMN IF EXISTS last_used_at")
    op.execute("DROP TABLE IF EXISTS telemetry_rule")
