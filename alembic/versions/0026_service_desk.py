"""Service desk, contracts' coverage and device lifecycle.

- `equipment.service_state`: in service, out of service or decommissioned, with the
  reason and when it changed.
- `ticket.reopen_count`: how often the customer reopened a resolved ticket (a reopened
  ticket was not fixed the first time).
- `contract.renewal_rfq_id`: the RFQ a renewal turned into.
- `contract_renewal_alert`: one mark per contract and threshold (90, 60, 30 days), so
  each alert is sent once.
- `preventive_visit`: the visits a contract promises, each slot once, with the ticket
  that planned it.
- `contract_tickets(c)`, `contract_devices(c)`, `service_desk_visits(ids)`: what both
  sides of a contract may read of its tickets and devices, and the engineer and ETA of
  a customer's own tickets (the provider's technicians and plans stay private).

Revision ID: 0026_service_desk
Revises: 0025_notify_channels
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0026_service_desk"
down_revision = "0025_notify_channels"
branch_labels = None
depends_on = None

TABLES = ("contract_renewal_alert", "preventive_visit")

UPGRADE = """
ALTER TABLE equipment
    ADD COLUMN service_state VARCHAR(20) NOT NULL DEFAULT 'in_service'
        CHECK (service_state IN ('in_service', 'out_of_service', 'decommissioned')),
    ADD COLUMN service_state_reason TEXT NOT NULL DEFAULT '',
    ADD COLUMN service_state_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE ticket ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0
    CHECK (reopen_count >= 0);
ALTER TABLE contract ADD COLUMN renewal_rfq_id UUID REFERENCES rfq (id);
CREATE INDEX equipment_contract ON equipment (contract_id) WHERE contract_id IS NOT NULL;
CREATE INDEX ticket_contract ON ticket (contract_id, resolved_at) WHERE contract_id IS NOT NULL;

CREATE TABLE contract_renewal_alert (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    contract_id UUID NOT NULL REFERENCES contract (id),
    threshold_days INTEGER NOT NULL CHECK (threshold_days IN (90, 60, 30)),
    ends_on DATE NOT NULL,
    sent_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (contract_id, threshold_days, ends_on)
);

CREATE TABLE preventive_visit (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    contract_id UUID NOT NULL REFERENCES contract (id),
    equipment_id UUID NOT NULL REFERENCES equipment (id),
    due_on DATE NOT NULL,
    ticket_id UUID REFERENCES ticket (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (contract_id, equipment_id, due_on)
);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['contract_renewal_alert', 'preventive_visit']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (EXISTS (SELECT 1 FROM contract k '
                   'WHERE k.id = contract_id AND k.seller_tenant_id = app_tenant()))',
                   t || '_seller', t);
  END LOOP;
END $$;
CREATE INDEX contract_renewal_alert_tenant_id ON contract_renewal_alert (tenant_id, id);
CREATE INDEX preventive_visit_tenant_id ON preventive_visit (tenant_id, id);

-- Both sides of a contract read its tickets, whoever the service partner is.
CREATE FUNCTION contract_tickets(c uuid) RETURNS SETOF ticket
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.* FROM ticket t JOIN contract k ON k.id = t.contract_id
     WHERE k.id = c AND (k.tenant_id = app_tenant() OR k.seller_tenant_id = app_tenant()
                         OR app_is_platform())
$$;

-- Both sides of a contract read its devices with their site.
CREATE FUNCTION contract_devices(c uuid) RETURNS TABLE (
    id uuid, serial_number text, sku_id uuid, sku_code text, sku_name text, category text,
    facility_id uuid, facility text, service_state text, service_state_reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.id, e.serial_number, s.id, s.code, s.name, s.category, e.facility_id, f.name,
           e.service_state, e.service_state_reason
      FROM equipment e JOIN contract k ON k.id = e.contract_id
      JOIN sku s ON s.id = e.sku_id
      LEFT JOIN healthcare_facilities f ON f.id = e.facility_id
     WHERE k.id = c AND (k.tenant_id = app_tenant() OR k.seller_tenant_id = app_tenant()
                         OR app_is_platform())
     ORDER BY f.name, e.serial_number
$$;

-- The customer sees who is coming and when, for its own tickets only.
CREATE FUNCTION service_desk_visits(ids uuid[]) RETURNS TABLE (
    ticket_id uuid, engineer text, eta timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, nullif(u.full_name, ''),
           (SELECT (s->>'eta')::timestamptz
              FROM dispatch_plan p, jsonb_array_elements(p.routes) r,
                   jsonb_array_elements(r->'stops') s
             WHERE p.tenant_id = t.service_partner_tenant_id AND p.accepted_at IS NOT NULL
               AND s->>'ticketId' = t.id::text
             ORDER BY p.accepted_at DESC LIMIT 1)
      FROM ticket t
      LEFT JOIN technician tc ON tc.id = t.technician_id
      LEFT JOIN users u ON u.id = tc.user_id
     WHERE t.id = ANY(ids) AND t.tenant_id = app_tenant()
$$;
"""

DOWNGRADE = """
DROP FUNCTION IF EXISTS service_desk_visits(uuid[]);
DROP FUNCTION IF EXISTS contract_devices(uuid);
DROP FUNCTION IF EXISTS contract_tickets(uuid);
DROP TABLE IF EXISTS preventive_visit;
DROP TABLE IF EXISTS contract_renewal_alert;
DROP INDEX IF EXISTS ticket_contract;
DROP INDEX IF EXISTS equipment_contract;
ALTER TABLE contract DROP COLUMN IF EXISTS renewal_rfq_id;
ALTER TABLE ticket DROP COLUMN IF EXISTS reopen_count;
ALTER TABLE equipment DROP COLUMN IF EXISTS service_state_at,
    DROP COLUMN IF EXISTS service_state_reason, DROP COLUMN IF EXISTS service_state;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    role = get_settings().app_db_role
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} TO {role}")
    op.execute(
        "GRANT EXECUTE ON FUNCTION contract_tickets(uuid), contract_devices(uuid), "
        f"service_desk_visits(uuid[]) TO {role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
