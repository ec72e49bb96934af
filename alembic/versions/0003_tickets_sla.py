"""Tickets with SLA clocks: transitions, comments and photos, SLA policies with calendars,
breach detection state, escalation notifications, penalties; a NOTIFY on every ticket
change for live consoles.

Revision ID: 0003_tickets_sla
Revises: 0002_devices_qr
Create Date: 2026-11-24
"""

from alembic import op

from services.settings import get_settings

revision = "0003_tickets_sla"
down_revision = "0002_devices_qr"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE SEQUENCE ticket_number_seq START 1001;
ALTER TABLE ticket
    ADD COLUMN number BIGINT NOT NULL DEFAULT nextval('ticket_number_seq'),
    ADD COLUMN contract_id UUID REFERENCES contract (id),
    ADD COLUMN city VARCHAR(120),
    ADD COLUMN sla_policy_id UUID,
    ADD COLUMN response_due_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN resolution_due_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN response_left_min DOUBLE PRECISION,
    ADD COLUMN resolution_left_min DOUBLE PRECISION,
    ADD COLUMN responded_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN resolved_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN closed_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN response_breached_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN resolution_breached_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN penalty_paise BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT ticket_status_check CHECK (status IN ('open', 'acknowledged', 'assigned',
        'en_route', 'on_site', 'in_progress', 'on_hold', 'resolved', 'closed', 'reopened',
        'cancelled')),
    ADD CONSTRAINT ticket_source_check CHECK (source IN ('portal', 'qr_scan', 'api',
        'whatsapp', 'telemetry'));
CREATE UNIQUE INDEX ticket_number_key ON ticket (number);
CREATE INDEX ticket_response_due ON ticket (response_due_at)
    WHERE response_breached_at IS NULL AND response_due_at IS NOT NULL;
CREATE INDEX ticket_resolution_due ON ticket (resolution_due_at)
    WHERE resolution_breached_at IS NULL AND resolution_due_at IS NOT NULL;
CREATE INDEX ticket_partner_status ON ticket (service_partner_tenant_id, status);

CREATE TABLE sla_policy (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    name VARCHAR(120) NOT NULL,
    tier VARCHAR(20) NOT NULL,
    round_the_clock BOOLEAN NOT NULL DEFAULT true,
    opens TIME NOT NULL DEFAULT '09:00',
    closes TIME NOT NULL DEFAULT '18:00',
    workdays INTEGER[] NOT NULL DEFAULT '{0,1,2,3,4,5}',
    holidays DATE[] NOT NULL DEFAULT '{}',
    targets JSONB NOT NULL,
    penalty_per_hour_paise BIGINT NOT NULL DEFAULT 0 CHECK (penalty_per_hour_paise >= 0),
    penalty_cap_paise BIGINT NOT NULL DEFAULT 0 CHECK (penalty_cap_paise >= 0),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL
);
CREATE UNIQUE INDEX sla_policy_tier ON sla_policy (tenant_id, tier);
ALTER TABLE ticket ADD CONSTRAINT ticket_sla_policy_fk
    FOREIGN KEY (sla_policy_id) REFERENCES sla_policy (id);

CREATE TABLE ticket_event (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    ticket_id UUID NOT NULL REFERENCES ticket (id),
    kind VARCHAR(20) NOT NULL CHECK (kind IN ('opened', 'status', 'comment', 'breach',
                                               'escalation')),
    from_status VARCHAR(20),
    to_status VARCHAR(20),
    actor_id UUID,
    actor_label VARCHAR(254) NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL
);
CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id, created_at);

CREATE TABLE ticket_attachment (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    ticket_id UUID NOT NULL REFERENCES ticket (id),
    event_id UUID REFERENCES ticket_event (id),
    file_name VARCHAR(200) NOT NULL,
    content_type VARCHAR(80) NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL
);
CREATE INDEX ticket_attachment_ticket ON ticket_attachment (ticket_id);

CREATE TABLE notification (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    role VARCHAR(32) NOT NULL,
    ticket_id UUID REFERENCES ticket (id),
    title VARCHAR(200) NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    read_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX notification_inbox ON notification (tenant_id, role, created_at DESC);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['sla_policy', 'ticket_event', 'ticket_attachment', 'notification']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, id)', t || '_tenant_id', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
CREATE POLICY ticket_owner ON ticket FOR ALL TO CURRENT_USER USING (true);

-- Whoever sees a ticket sees its timeline, photos and SLA terms.
CREATE POLICY ticket_event_ticket ON ticket_event FOR SELECT
    USING (EXISTS (SELECT 1 FROM ticket t WHERE t.id = ticket_event.ticket_id));
CREATE POLICY ticket_attachment_ticket ON ticket_attachment FOR SELECT
    USING (EXISTS (SELECT 1 FROM ticket t WHERE t.id = ticket_attachment.ticket_id));
CREATE POLICY sla_policy_ticket ON sla_policy FOR SELECT
    USING (EXISTS (SELECT 1 FROM ticket t WHERE t.sla_policy_id = sla_policy.id));

-- The provider's policy for a tier, for whoever opens a ticket on a device it serves.
CREATE FUNCTION sla_policy_for(p_provider uuid, p_tier text) RETURNS SETOF sla_policy
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT * FROM sla_policy WHERE tenant_id = p_provider AND tier = p_tier $$;

-- Live consoles listen on this channel; the payload names the ticket, never its content.
CREATE FUNCTION ticket_notify() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    PERFORM pg_notify('ticket_changed', json_build_object(
        'id', NEW.id, 'tenantId', NEW.tenant_id, 'partnerId', NEW.service_partner_tenant_id,
        'status', NEW.status)::text);
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_changed AFTER INSERT OR UPDATE ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_notify();
"""

DOWNGRADE = """
DROP TRIGGER IF EXISTS ticket_changed ON ticket;
DROP FUNCTION IF EXISTS ticket_notify();
DROP FUNCTION IF EXISTS sla_policy_for(uuid, text);
DROP POLICY IF EXISTS ticket_owner ON ticket;
DROP TABLE IF EXISTS notification, ticket_attachment, ticket_event;
ALTER TABLE ticket DROP CONSTRAINT IF EXISTS ticket_sla_policy_fk;
DROP TABLE IF EXISTS sla_policy;
DROP INDEX IF EXISTS ticket_partner_status, ticket_resolution_due, ticket_response_due,
    ticket_number_key;
ALTER TABLE ticket DROP CONSTRAINT IF EXISTS ticket_source_check,
    DROP CONSTRAINT IF EXISTS ticket_status_check,
    DROP COLUMN IF EXISTS penalty_paise, DROP COLUMN IF EXISTS escalation_level,
    DROP COLUMN IF EXISTS resolution_breached_at, DROP COLUMN IF EXISTS response_breached_at,
    DROP COLUMN IF EXISTS closed_at, DROP COLUMN IF EXISTS resolved_at,
    DROP COLUMN IF EXISTS responded_at, DROP COLUMN IF EXISTS resolution_left_min,
    DROP COLUMN IF EXISTS response_left_min, DROP COLUMN IF EXISTS resolution_due_at,
    DROP COLUMN IF EXISTS response_due_at, DROP COLUMN IF EXISTS sla_policy_id,
    DROP COLUMN IF EXISTS city, DROP COLUMN IF EXISTS contract_id, DROP COLUMN IF EXISTS number;
DROP SEQUENCE IF EXISTS ticket_number_seq;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON sla_policy, ticket_event, "
        f"ticket_attachment, notification TO {role}"
    )
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE ticket_number_seq TO {role}")
    op.execute(f"GRANT EXECUTE ON FUNCTION sla_policy_for(uuid, text) TO {role}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
