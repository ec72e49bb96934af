"""The technician's field app: synced events with idempotency keys and job check-ins.

- `field_workflow`: versions of each device type's checklist. The repository's versions
  belong to no organisation and everyone reads them; a version an organisation publishes
  is its own to write, readable by all (a checklist is a procedure, not a secret).
- `field_visit`: per ticket, what the field did: checklist version, arrival, a parts
  request, the customer's sign-off and the service report.
- `field_step`: the latest answer of each checklist step on a ticket.
- `sync_event`: every event a phone sent, once per account and idempotency key, with what
  came of it; conflicts wait there for a dispatcher.

Revision ID: 0019_field_app
Revises: 0018_admin
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0019_field_app"
down_revision = "0018_admin"
branch_labels = None
depends_on = None

TABLES = ("field_workflow", "field_visit", "field_step", "sync_event")

UPGRADE = """
CREATE TABLE field_workflow (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID REFERENCES tenant (id),
    key VARCHAR(60) NOT NULL,
    device_type VARCHAR(60) NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    name VARCHAR(200) NOT NULL,
    steps JSONB NOT NULL DEFAULT '[]',
    source VARCHAR(12) NOT NULL DEFAULT 'repository'
        CHECK (source IN ('repository', 'published')),
    published_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX field_workflow_version ON field_workflow
    (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), key, version);
CREATE INDEX field_workflow_type ON field_workflow (device_type, version DESC);

CREATE TABLE field_visit (
    ticket_id UUID PRIMARY KEY REFERENCES ticket (id),
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    technician_user_id UUID REFERENCES users (id),
    workflow_id UUID REFERENCES field_workflow (id),
    checked_in_at TIMESTAMP WITH TIME ZONE,
    check_in_method VARCHAR(12) CHECK (check_in_method IN ('qr', 'short_code')),
    check_in_distance_m DOUBLE PRECISION,
    waiting_parts_reason TEXT,
    waiting_parts_at TIMESTAMP WITH TIME ZONE,
    signer_name VARCHAR(200),
    signature BYTEA,
    signed_at TIMESTAMP WITH TIME ZONE,
    report_attachment_id UUID REFERENCES ticket_attachment (id),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE TABLE field_step (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    ticket_id UUID NOT NULL REFERENCES ticket (id),
    workflow_id UUID NOT NULL REFERENCES field_workflow (id),
    step_id VARCHAR(60) NOT NULL,
    kind VARCHAR(12) NOT NULL CHECK (kind IN ('pass_fail', 'reading', 'photo', 'choice')),
    value JSONB NOT NULL DEFAULT '{}',
    out_of_range BOOLEAN NOT NULL DEFAULT false,
    recorded_by UUID REFERENCES users (id),
    client_time TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (ticket_id, step_id)
);

CREATE TABLE sync_event (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    user_id UUID NOT NULL REFERENCES users (id),
    client_id UUID,
    idempotency_key UUID NOT NULL,
    type VARCHAR(30) NOT NULL,
    entity_id VARCHAR(80) NOT NULL DEFAULT '',
    ticket_id UUID REFERENCES ticket (id),
    client_time TIMESTAMP WITH TIME ZONE,
    payload JSONB NOT NULL DEFAULT '{}',
    status VARCHAR(10) NOT NULL CHECK (status IN ('applied', 'rejected', 'conflict')),
    server_id UUID,
    error TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    resolution VARCHAR(10) CHECK (resolution IN ('applied', 'dismissed')),
    resolved_by UUID REFERENCES users (id),
    resolved_at TIMESTAMP WITH TIME ZONE,
    resolution_note TEXT NOT NULL DEFAULT '',
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX sync_event_user_recent ON sync_event (tenant_id, user_id, received_at DESC);
CREATE INDEX sync_event_open_conflicts ON sync_event (tenant_id, received_at)
    WHERE status = 'conflict' AND resolution IS NULL;

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['field_workflow', 'field_visit', 'field_step', 'sync_event']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
CREATE INDEX field_workflow_tenant_id ON field_workflow (tenant_id, id);
CREATE INDEX field_visit_tenant_id ON field_visit (tenant_id, ticket_id);
CREATE INDEX field_step_tenant_id ON field_step (tenant_id, id);
-- Checklists are procedures, not secrets: every signed-in organisation reads them all.
CREATE POLICY field_workflow_read ON field_workflow FOR SELECT
    USING (app_tenant() IS NOT NULL);
-- Whoever sees a ticket sees what the field recorded on it.
CREATE POLICY field_visit_ticket ON field_visit FOR SELECT
    USING (EXISTS (SELECT 1 FROM ticket t WHERE t.id = field_visit.ticket_id));
CREATE POLICY field_step_ticket ON field_step FOR SELECT
    USING (EXISTS (SELECT 1 FROM ticket t WHERE t.id = field_step.ticket_id));
"""

DOWNGRADE = """
DROP TABLE IF EXISTS sync_event;
DROP TABLE IF EXISTS field_step;
DROP TABLE IF EXISTS field_visit;
DROP TABLE IF EXISTS field_workflow;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
