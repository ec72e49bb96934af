"""Telemetry: device credentials, readings, quarantine, alarms.

- `telemetry_credential`: a device's MQTT username and the PBKDF2-SHA512 hash of its
  password (mosquitto's `$7$` format, so the same hash serves both brokers); revoked ones stay.
- `telemetry_reading`: one row per message (device, ts, seq) with its metrics as JSONB,
  natively partitioned by day on `ts` (a TimescaleDB hypertable when the server has it);
  `telemetry_partitions_ahead(days)` creates the coming days' partitions.
- `telemetry_quarantine`: payloads that were refused, with the reason.
- `telemetry_rollup`: per device, metric and bucket ('1m' or '1h'): count, min, max, sum.
- `telemetry_alarm`: alarms raised by the rules of a device type, open until they clear.

Rows carry the owner's `tenant_id` and the manufacturer's `oem_tenant_id`: both sides see them.

Revision ID: 0022_telemetry
Revises: 0021_lab_console
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0022_telemetry"
down_revision = "0021_lab_console"
branch_labels = None
depends_on = None

TABLES = (
    "telemetry_credential",
    "telemetry_reading",
    "telemetry_quarantine",
    "telemetry_rollup",
    "telemetry_alarm",
)

UPGRADE = """
CREATE TABLE telemetry_credential (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    oem_tenant_id UUID NOT NULL REFERENCES tenant (id),
    device_id UUID NOT NULL REFERENCES equipment (id),
    username VARCHAR(80) NOT NULL UNIQUE,
    password_hash VARCHAR(200) NOT NULL,
    topic VARCHAR(200) NOT NULL,
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX telemetry_credential_device ON telemetry_credential (device_id)
    WHERE revoked_at IS NULL;

CREATE TABLE telemetry_reading (
    tenant_id UUID NOT NULL,
    oem_tenant_id UUID NOT NULL,
    device_id UUID NOT NULL,
    ts TIMESTAMP WITH TIME ZONE NOT NULL,
    seq BIGINT NOT NULL,
    metrics JSONB NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, ts, seq)
) PARTITION BY RANGE (ts);
CREATE TABLE telemetry_reading_old PARTITION OF telemetry_reading
    FOR VALUES FROM (MINVALUE) TO ('2026-11-01');
CREATE TABLE telemetry_reading_default PARTITION OF telemetry_reading DEFAULT;

-- Daily partitions from yesterday to `days` ahead; rows of a day with no partition yet land
-- in the default partition, so nothing is refused for want of one.
CREATE FUNCTION telemetry_partitions_ahead(days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE d date; made integer := 0; name text;
BEGIN
  FOR d IN SELECT generate_series(current_date - 1, current_date + days, '1 day')::date LOOP
    name := 'telemetry_reading_' || to_char(d, 'YYYYMMDD');
    IF to_regclass(name) IS NULL AND d >= date '2026-11-01' THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF telemetry_reading '
                       'FOR VALUES FROM (%L) TO (%L)', name, d, d + 1);
        made := made + 1;
      EXCEPTION WHEN check_violation THEN
        -- the default partition already holds rows of that day: leave them there
        NULL;
      END;
    END IF;
  END LOOP;
  RETURN made;
END $$;
SELECT telemetry_partitions_ahead(7);

CREATE TABLE telemetry_quarantine (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    oem_tenant_id UUID NOT NULL REFERENCES tenant (id),
    device_id UUID NOT NULL REFERENCES equipment (id),
    topic VARCHAR(200) NOT NULL,
    payload TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX telemetry_quarantine_device ON telemetry_quarantine (device_id, received_at DESC);

CREATE TABLE telemetry_rollup (
    tenant_id UUID NOT NULL,
    oem_tenant_id UUID NOT NULL,
    device_id UUID NOT NULL,
    metric VARCHAR(60) NOT NULL,
    bucket VARCHAR(2) NOT NULL CHECK (bucket IN ('1m', '1h')),
    start TIMESTAMP WITH TIME ZONE NOT NULL,
    count INTEGER NOT NULL,
    min DOUBLE PRECISION NOT NULL,
    max DOUBLE PRECISION NOT NULL,
    sum DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (device_id, metric, bucket, start)
);

CREATE TABLE telemetry_alarm (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    oem_tenant_id UUID NOT NULL REFERENCES tenant (id),
    device_id UUID NOT NULL REFERENCES equipment (id),
    rule VARCHAR(60) NOT NULL,
    metric VARCHAR(60) NOT NULL,
    state VARCHAR(8) NOT NULL CHECK (state IN ('pending', 'open', 'cleared')),
    first_seen TIMESTAMP WITH TIME ZONE NOT NULL,
    raised_at TIMESTAMP WITH TIME ZONE,
    cleared_at TIMESTAMP WITH TIME ZONE,
    last_value DOUBLE PRECISION,
    evidence JSONB NOT NULL DEFAULT '[]',
    ticket_id UUID REFERENCES ticket (id)
);
CREATE UNIQUE INDEX telemetry_alarm_active ON telemetry_alarm (device_id, rule)
    WHERE state <> 'cleared';

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['telemetry_credential', 'telemetry_reading', 'telemetry_quarantine',
                           'telemetry_rollup', 'telemetry_alarm']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    -- The manufacturer services the device: it reads and provisions its telemetry too.
    EXECUTE format('CREATE POLICY %I ON %I USING (oem_tenant_id = app_tenant()) '
                   'WITH CHECK (oem_tenant_id = app_tenant())', t || '_oem', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
CREATE INDEX telemetry_credential_tenant ON telemetry_credential (tenant_id, id);
CREATE INDEX telemetry_alarm_tenant ON telemetry_alarm (tenant_id, state);
CREATE INDEX telemetry_alarm_oem ON telemetry_alarm (oem_tenant_id, state);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS telemetry_alarm;
DROP TABLE IF EXISTS telemetry_rollup;
DROP TABLE IF EXISTS telemetry_quarantine;
DROP TABLE IF EXISTS telemetry_reading;
DROP FUNCTION IF EXISTS telemetry_partitions_ahead(integer);
DROP TABLE IF EXISTS telemetry_credential;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
