"""Lab console: verification, critical values, consent, analyzer health.

- `lab_review`: one per result, what verification decided: auto-verified by the rules,
  waiting for a person (with the reasons), or released by a named user.
- `lab_critical`: a result beyond its test's critical limits, until a named user
  acknowledges it and records whom they informed.
- `lab_consent`: a patient's consent to share results, per purpose and recipient, with
  the version of the consent text and when it was given; revocable, never deleted.
- `lab_watch`: per channel, the working hours of the lab it serves (the analyzer is
  watched for silence only then; the silence threshold is the channel's own) and how
  many faults an hour it may report before service is called.
- `lab_alarm`: an analyzer that fell silent or reported faults, the ticket it opened and
  when messages flowed again.

Revision ID: 0021_lab_console
Revises: 0020_lab_ingest
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0021_lab_console"
down_revision = "0020_lab_ingest"
branch_labels = None
depends_on = None

TABLES = ("lab_review", "lab_critical", "lab_consent", "lab_watch", "lab_alarm")

UPGRADE = """
CREATE TABLE lab_review (
    result_id UUID PRIMARY KEY REFERENCES lab_result (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    status VARCHAR(10) NOT NULL CHECK (status IN ('auto', 'pending', 'released')),
    reasons TEXT NOT NULL DEFAULT '',
    decided_by UUID REFERENCES users (id),
    decided_label VARCHAR(254) NOT NULL DEFAULT '',
    decided_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX lab_review_pending ON lab_review (tenant_id, created_at) WHERE status = 'pending';
CREATE INDEX lab_review_recent ON lab_review (tenant_id, created_at DESC);
-- Reviewing finds new results by time and each patient's previous result of a test,
-- for every lab at once in the workers.
CREATE INDEX lab_result_created ON lab_result (created_at);
CREATE INDEX lab_result_patient_recent ON lab_result (patient_id, created_at DESC);

CREATE TABLE lab_critical (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    result_id UUID NOT NULL UNIQUE REFERENCES lab_result (id) ON DELETE CASCADE,
    direction VARCHAR(4) NOT NULL CHECK (direction IN ('low', 'high')),
    limit_text VARCHAR(60) NOT NULL DEFAULT '',
    found_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    acknowledged_by UUID REFERENCES users (id),
    acknowledged_label VARCHAR(254) NOT NULL DEFAULT '',
    acknowledged_at TIMESTAMP WITH TIME ZONE,
    informed TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lab_critical_open ON lab_critical (tenant_id, found_at)
    WHERE acknowledged_at IS NULL;

CREATE TABLE lab_consent (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    patient_identifier VARCHAR(80) NOT NULL,
    purpose VARCHAR(30) NOT NULL,
    recipient VARCHAR(200) NOT NULL,
    version VARCHAR(30) NOT NULL,
    given_at TIMESTAMP WITH TIME ZONE NOT NULL,
    recorded_by UUID REFERENCES users (id),
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    revoked_at TIMESTAMP WITH TIME ZONE,
    revoked_by UUID REFERENCES users (id),
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lab_consent_patient ON lab_consent (tenant_id, patient_identifier, purpose);

CREATE TABLE lab_watch (
    channel_id UUID PRIMARY KEY REFERENCES lab_channel (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    faults_per_hour INTEGER NOT NULL DEFAULT 5 CHECK (faults_per_hour BETWEEN 1 AND 10000),
    opens TIME NOT NULL DEFAULT '08:00',
    closes TIME NOT NULL DEFAULT '20:00',
    workdays INTEGER[] NOT NULL DEFAULT '{0,1,2,3,4,5}',
    round_the_clock BOOLEAN NOT NULL DEFAULT false,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE TABLE lab_alarm (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    channel_id UUID NOT NULL REFERENCES lab_channel (id) ON DELETE CASCADE,
    equipment_id UUID REFERENCES equipment (id),
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('silent', 'faults')),
    ticket_id UUID REFERENCES ticket (id),
    last_message_at TIMESTAMP WITH TIME ZONE,
    error_count INTEGER NOT NULL DEFAULT 0,
    opened_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    closed_at TIMESTAMP WITH TIME ZONE
);
-- One open alarm per channel: the health check may run in two workers at once.
CREATE UNIQUE INDEX lab_alarm_open ON lab_alarm (channel_id) WHERE closed_at IS NULL;

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['lab_review', 'lab_critical', 'lab_consent', 'lab_watch',
                           'lab_alarm']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
"""

DOWNGRADE = """
DROP TABLE IF EXISTS lab_alarm;
DROP TABLE IF EXISTS lab_watch;
DROP TABLE IF EXISTS lab_consent;
DROP TABLE IF EXISTS lab_critical;
DROP TABLE IF EXISTS lab_review;
DROP INDEX IF EXISTS lab_result_patient_recent;
DROP INDEX IF EXISTS lab_result_created;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
