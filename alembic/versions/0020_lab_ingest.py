"""Lab: channels, raw message store, results.

- `lab_channel`, `lab_test_code`: analyzer links (unique by sender) and their test codes.
- `lab_message`: every message as it arrived, unique by sender and control id, so a
  duplicate is recognised; a sender no channel knows leaves it without a tenant.
- `lab_patient`, `lab_order`, `lab_result`: what processing made of the messages.

Revision ID: 0020_lab_ingest
Revises: 0019_field_app
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0020_lab_ingest"
down_revision = "0019_field_app"
branch_labels = None
depends_on = None

# Where a ticket came from: the lab's analyzers (`lab`), a label scanned with any phone's
# camera (`qr`), the failure model (`prediction`) and contract maintenance (`preventive`)
# join the earlier sources.
SOURCES = (
    "portal",
    "qr_scan",
    "api",
    "whatsapp",
    "telemetry",
    "lab",
    "qr",
    "prediction",
    "preventive",
)
OLD_SOURCES = ("portal", "qr_scan", "api", "whatsapp", "telemetry")


def _sources(values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return (
        "ALTER TABLE ticket DROP CONSTRAINT IF EXISTS ticket_source_check, "
        f"ADD CONSTRAINT ticket_source_check CHECK (source IN ({listed}))"
    )


TABLES = ("lab_channel", "lab_test_code", "lab_message", "lab_patient", "lab_order", "lab_result")

UPGRADE = """
CREATE TABLE lab_channel (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    laboratory_id UUID REFERENCES laboratories (id),
    device_id UUID REFERENCES equipment (id),
    name VARCHAR(120) NOT NULL,
    sending_application VARCHAR(180) NOT NULL CHECK (sending_application <> ''),
    sending_facility VARCHAR(180) NOT NULL DEFAULT '',
    protocol VARCHAR(8) NOT NULL DEFAULT 'hl7' CHECK (protocol IN ('hl7', 'astm')),
    order_mode VARCHAR(8) NOT NULL DEFAULT 'query' CHECK (order_mode IN ('query', 'push', 'none')),
    push_host VARCHAR(200) NOT NULL DEFAULT '',
    push_port INTEGER CHECK (push_port BETWEEN 1 AND 65535),
    silent_after_minutes INTEGER NOT NULL DEFAULT 30 CHECK (silent_after_minutes > 0),
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (sending_application, sending_facility)
);

CREATE TABLE lab_test_code (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    channel_id UUID NOT NULL REFERENCES lab_channel (id) ON DELETE CASCADE,
    analyzer_code VARCHAR(60) NOT NULL CHECK (analyzer_code <> ''),
    loinc VARCHAR(20) NOT NULL DEFAULT '',
    name VARCHAR(200) NOT NULL DEFAULT '',
    units VARCHAR(40) NOT NULL DEFAULT '',
    reference_low DOUBLE PRECISION,
    reference_high DOUBLE PRECISION,
    reference_text VARCHAR(80) NOT NULL DEFAULT '',
    critical_low DOUBLE PRECISION,
    critical_high DOUBLE PRECISION,
    UNIQUE (channel_id, analyzer_code)
);

CREATE TABLE lab_message (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID REFERENCES tenant (id),
    channel_id UUID REFERENCES lab_channel (id),
    protocol VARCHAR(8) NOT NULL DEFAULT 'hl7' CHECK (protocol IN ('hl7', 'astm')),
    sending_application VARCHAR(180) NOT NULL DEFAULT '',
    sending_facility VARCHAR(180) NOT NULL DEFAULT '',
    control_id VARCHAR(199),
    message_type VARCHAR(20) NOT NULL DEFAULT '',
    version VARCHAR(10) NOT NULL DEFAULT '',
    raw TEXT NOT NULL,
    state VARCHAR(10) NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'processed', 'error')),
    error TEXT NOT NULL DEFAULT '',
    ack_code VARCHAR(2) NOT NULL DEFAULT 'AA' CHECK (ack_code IN ('AA', 'AE', 'AR')),
    duplicate_count INTEGER NOT NULL DEFAULT 0,
    result_count INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    processed_at TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX lab_message_sender_control ON lab_message
    (sending_application, sending_facility, control_id);
CREATE INDEX lab_message_waiting ON lab_message (received_at) WHERE state = 'received';
CREATE INDEX lab_message_tenant_recent ON lab_message (tenant_id, received_at DESC);
CREATE INDEX lab_message_channel_recent ON lab_message (channel_id, received_at DESC);
CREATE INDEX lab_message_unclaimed ON lab_message (sending_application, sending_facility)
    WHERE tenant_id IS NULL;

CREATE TABLE lab_patient (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    identifier VARCHAR(80) NOT NULL,
    family_name VARCHAR(120) NOT NULL DEFAULT '',
    given_name VARCHAR(120) NOT NULL DEFAULT '',
    birth_date VARCHAR(8) NOT NULL DEFAULT '',
    sex VARCHAR(1) NOT NULL DEFAULT '',
    source_message_id UUID REFERENCES lab_message (id),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, identifier)
);

CREATE TABLE lab_order (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    channel_id UUID REFERENCES lab_channel (id),
    patient_id UUID REFERENCES lab_patient (id),
    placer_order_number VARCHAR(80) NOT NULL DEFAULT '',
    filler_order_number VARCHAR(80) NOT NULL DEFAULT '',
    specimen_id VARCHAR(80) NOT NULL DEFAULT '',
    test_code VARCHAR(60) NOT NULL DEFAULT '',
    test_name VARCHAR(200) NOT NULL DEFAULT '',
    priority VARCHAR(2) NOT NULL DEFAULT 'R',
    status VARCHAR(10) NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'sent', 'resulted', 'cancelled')),
    ordered_at TIMESTAMP WITH TIME ZONE,
    sent_at TIMESTAMP WITH TIME ZONE,
    source_message_id UUID REFERENCES lab_message (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, placer_order_number, test_code)
);
CREATE INDEX lab_order_specimen ON lab_order (tenant_id, specimen_id);

CREATE TABLE lab_result (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    message_id UUID NOT NULL REFERENCES lab_message (id),
    channel_id UUID REFERENCES lab_channel (id),
    device_id UUID REFERENCES equipment (id),
    patient_id UUID REFERENCES lab_patient (id),
    order_id UUID REFERENCES lab_order (id),
    sequence INTEGER NOT NULL,
    analyzer_code VARCHAR(60) NOT NULL DEFAULT '',
    loinc VARCHAR(20) NOT NULL DEFAULT '',
    name VARCHAR(200) NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '',
    value_numeric DOUBLE PRECISION,
    units VARCHAR(40) NOT NULL DEFAULT '',
    reference_range VARCHAR(80) NOT NULL DEFAULT '',
    reference_low DOUBLE PRECISION,
    reference_high DOUBLE PRECISION,
    abnormal_flag VARCHAR(10) NOT NULL DEFAULT '',
    result_status VARCHAR(2) NOT NULL DEFAULT 'F',
    observed_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (message_id, sequence)
);
CREATE INDEX lab_result_tenant_recent ON lab_result (tenant_id, created_at DESC);
CREATE INDEX lab_result_patient ON lab_result (tenant_id, patient_id, loinc, observed_at DESC);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['lab_channel', 'lab_test_code', 'lab_message', 'lab_patient',
                           'lab_order', 'lab_result']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
CREATE INDEX lab_channel_tenant_id ON lab_channel (tenant_id, id);
CREATE INDEX lab_test_code_tenant_id ON lab_test_code (tenant_id, id);
CREATE INDEX lab_message_tenant_id ON lab_message (tenant_id, id);
CREATE INDEX lab_patient_tenant_id ON lab_patient (tenant_id, id);
CREATE INDEX lab_order_tenant_id ON lab_order (tenant_id, id);
CREATE INDEX lab_result_tenant_id ON lab_result (tenant_id, id);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS lab_result;
DROP TABLE IF EXISTS lab_order;
DROP TABLE IF EXISTS lab_patient;
DROP TABLE IF EXISTS lab_message;
DROP TABLE IF EXISTS lab_test_code;
DROP TABLE IF EXISTS lab_channel;
"""


def upgrade() -> None:
    op.execute(_sources(SOURCES))
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(_sources(OLD_SOURCES))
