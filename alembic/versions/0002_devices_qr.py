"""Device registry and QR labels: signed QR codes, printable kits, lifecycle, visibility.

A device is visible to its registrant, its manufacturer, the owner of the facility it is
installed at, and organisations that facility's owner granted it to. The service side
(grantees, manufacturer, facility owner) may update it, for example on deployment.

Revision ID: 0002_devices_qr
Revises: 0001_core
Create Date: 2026-11-24
"""

from alembic import op

from services.settings import get_settings

revision = "0002_devices_qr"
down_revision = "0001_core"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE equipment
    ADD COLUMN contract_id UUID REFERENCES contract (id),
    ADD COLUMN qr_printed_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN deployed_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN decommissioned_at TIMESTAMP WITH TIME ZONE,
    ADD CONSTRAINT equipment_lifecycle_check CHECK (lifecycle_status IN
        ('registered', 'qr_printed', 'deployed', 'active', 'decommissioned')),
    ADD CONSTRAINT equipment_amc_check CHECK (amc_status IN ('none', 'warranty', 'amc', 'cmc'));
CREATE INDEX equipment_lifecycle ON equipment (lifecycle_status);
CREATE INDEX equipment_amc_end ON equipment (amc_end);
CREATE INDEX equipment_serial_trgm ON equipment USING gin (serial_number gin_trgm_ops);
CREATE INDEX equipment_udi ON equipment (udi);

ALTER TABLE device_registration_batch
    ADD COLUMN completed_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN kit_id UUID;
CREATE UNIQUE INDEX manufacturer_device_feed_row ON manufacturer_device_feed (import_batch_id, row_number);
ALTER TABLE qr_deployment_log ADD COLUMN distance_m DOUBLE PRECISION;
CREATE INDEX qr_deployment_log_device ON qr_deployment_log (device_id, validated_at);

CREATE TABLE qr_code (
    id UUID DEFAULT gen_random_uuid() NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    device_id UUID NOT NULL REFERENCES equipment (id),
    key_id VARCHAR(16) NOT NULL,
    payload VARCHAR(200) NOT NULL,
    matrix BYTEA,
    status VARCHAR(10) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX qr_code_one_active ON qr_code (device_id) WHERE status = 'active';
CREATE INDEX qr_code_tenant_id ON qr_code (tenant_id, id);

CREATE TABLE qr_kit (
    id UUID DEFAULT gen_random_uuid() NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    batch_id UUID REFERENCES device_registration_batch (id),
    label_count INTEGER NOT NULL DEFAULT 0,
    status VARCHAR(10) NOT NULL DEFAULT 'ready',
    pdf BYTEA,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL
);
CREATE INDEX qr_kit_tenant_id ON qr_kit (tenant_id, id);

ALTER TABLE qr_code ENABLE ROW LEVEL SECURITY;
ALTER TABLE qr_code FORCE ROW LEVEL SECURITY;
CREATE POLICY qr_code_tenant ON qr_code USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
ALTER TABLE qr_kit ENABLE ROW LEVEL SECURITY;
ALTER TABLE qr_kit FORCE ROW LEVEL SECURITY;
CREATE POLICY qr_kit_tenant ON qr_kit USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());

-- The owner of the facility a device is installed at (the hospital or lab).
CREATE FUNCTION app_facility_owner(p_facility uuid) RETURNS uuid LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT tenant_id FROM healthcare_facilities WHERE id = p_facility $$;

CREATE FUNCTION app_serves_device(p_owner uuid, p_manufacturer uuid, p_facility uuid, p_id uuid)
RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT p_manufacturer = app_tenant()
       OR app_facility_owner(p_facility) = app_tenant()
       OR app_has_grant('equipment', p_owner, p_id)
       OR app_has_grant('equipment', app_facility_owner(p_facility), p_id) $$;

DROP POLICY equipment_granted ON equipment;
DROP POLICY equipment_manufacturer ON equipment;
CREATE POLICY equipment_service_read ON equipment FOR SELECT
    USING (app_serves_device(tenant_id, manufacturer_tenant_id, facility_id, id));
CREATE POLICY equipment_service_update ON equipment FOR UPDATE
    USING (app_serves_device(tenant_id, manufacturer_tenant_id, facility_id, id))
    WITH CHECK (app_serves_device(tenant_id, manufacturer_tenant_id, facility_id, id));

-- Labels and deployment logs follow the device they belong to.
CREATE POLICY qr_code_device ON qr_code FOR SELECT
    USING (EXISTS (SELECT 1 FROM equipment e WHERE e.id = qr_code.device_id));
CREATE POLICY qr_code_device_revoke ON qr_code FOR UPDATE
    USING (EXISTS (SELECT 1 FROM equipment e WHERE e.id = qr_code.device_id))
    WITH CHECK (EXISTS (SELECT 1 FROM equipment e WHERE e.id = qr_code.device_id));
CREATE POLICY qr_deployment_log_device ON qr_deployment_log FOR SELECT
    USING (EXISTS (SELECT 1 FROM equipment e WHERE e.id = qr_deployment_log.device_id));
"""

DOWNGRADE = """
DROP POLICY IF EXISTS qr_deployment_log_device ON qr_deployment_log;
DROP POLICY IF EXISTS equipment_service_update ON equipment;
DROP POLICY IF EXISTS equipment_service_read ON equipment;
CREATE POLICY equipment_granted ON equipment FOR SELECT
    USING (app_has_grant('equipment', tenant_id, id));
CREATE POLICY equipment_manufacturer ON equipment FOR SELECT
    USING (manufacturer_tenant_id = app_tenant());
DROP FUNCTION IF EXISTS app_serves_device(uuid, uuid, uuid, uuid);
DROP FUNCTION IF EXISTS app_facility_owner(uuid);
DROP TABLE IF EXISTS qr_kit;
DROP TABLE IF EXISTS qr_code;
DROP INDEX IF EXISTS qr_deployment_log_device;
ALTER TABLE qr_deployment_log DROP COLUMN IF EXISTS distance_m;
DROP INDEX IF EXISTS manufacturer_device_feed_row;
ALTER TABLE device_registration_batch DROP COLUMN IF EXISTS completed_at,
    DROP COLUMN IF EXISTS kit_id;
DROP INDEX IF EXISTS equipment_udi;
DROP INDEX IF EXISTS equipment_serial_trgm;
DROP INDEX IF EXISTS equipment_amc_end;
DROP INDEX IF EXISTS equipment_lifecycle;
ALTER TABLE equipment DROP CONSTRAINT IF EXISTS equipment_amc_check,
    DROP CONSTRAINT IF EXISTS equipment_lifecycle_check,
    DROP COLUMN IF EXISTS decommissioned_at, DROP COLUMN IF EXISTS deployed_at,
    DROP COLUMN IF EXISTS qr_printed_at, DROP COLUMN IF EXISTS contract_id;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(UPGRADE)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON qr_code, qr_kit TO {role}")
    op.execute(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
