"""Failure prediction: scores and preemptive tickets.

- `failure_prediction`: every score the failure model gave a device (probability, the
  factors pushing it up, the model's version and threshold), for the device page's chart.
- `preemptive_watch`: one row per scored device: its latest probability and the preemptive
  ticket it raised, so a device at risk opens one ticket, not one per scoring run.

Rows carry the owner's `tenant_id` and the manufacturer's `oem_tenant_id`: both sides see
them, like the device's telemetry.

Revision ID: 0023_failure_prediction
Revises: 0022_telemetry
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0023_failure_prediction"
down_revision = "0022_telemetry"
branch_labels = None
depends_on = None

TABLES = ("failure_prediction", "preemptive_watch")

UPGRADE = """
CREATE TABLE failure_prediction (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    oem_tenant_id UUID NOT NULL REFERENCES tenant (id),
    device_id UUID NOT NULL REFERENCES equipment (id),
    model_version VARCHAR(40) NOT NULL,
    probability DOUBLE PRECISION NOT NULL CHECK (probability BETWEEN 0 AND 1),
    threshold DOUBLE PRECISION NOT NULL,
    top_factors JSONB NOT NULL DEFAULT '[]',
    window_end TIMESTAMP WITH TIME ZONE NOT NULL,
    scored_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX failure_prediction_device ON failure_prediction (device_id, scored_at DESC);

CREATE TABLE preemptive_watch (
    device_id UUID PRIMARY KEY REFERENCES equipment (id),
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    oem_tenant_id UUID NOT NULL REFERENCES tenant (id),
    probability DOUBLE PRECISION NOT NULL,
    model_version VARCHAR(40) NOT NULL,
    ticket_id UUID REFERENCES ticket (id),
    ticket_opened_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX preemptive_watch_oem ON preemptive_watch (oem_tenant_id, probability DESC);
CREATE INDEX preemptive_watch_tenant ON preemptive_watch (tenant_id, probability DESC);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['failure_prediction', 'preemptive_watch']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    -- The manufacturer services the device: it scores it and reads the scores.
    EXECUTE format('CREATE POLICY %I ON %I USING (oem_tenant_id = app_tenant()) '
                   'WITH CHECK (oem_tenant_id = app_tenant())', t || '_oem', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
CREATE INDEX failure_prediction_tenant ON failure_prediction (tenant_id, scored_at DESC);
CREATE INDEX failure_prediction_oem ON failure_prediction (oem_tenant_id, scored_at DESC);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS preemptive_watch;
DROP TABLE IF EXISTS failure_prediction;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
