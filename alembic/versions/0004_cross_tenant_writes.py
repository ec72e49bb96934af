"""Tighter cross-tenant writes.

- A service partner may insert or update a ticket only for a device it can see that
  belongs to the ticket's tenant (it could name itself partner on any ticket before).
- Organisations that service a device (grantees, manufacturer, facility owner) may change
  its service fields, never whose it is, what it is or where it stands; on someone
  else's label they may only revoke it.
- A device can only be placed at a facility its registrant can see.

Revision ID: 0004_cross_tenant_writes
Revises: 0003_tickets_sla
Create Date: 2026-11-24
"""

from alembic import op

revision = "0004_cross_tenant_writes"
down_revision = "0003_tickets_sla"
branch_labels = None
depends_on = None

UPGRADE = """
DROP POLICY ticket_partner ON ticket;
CREATE POLICY ticket_partner_read ON ticket FOR SELECT
    USING (service_partner_tenant_id = app_tenant());
CREATE POLICY ticket_partner_write ON ticket FOR INSERT
    WITH CHECK (service_partner_tenant_id = app_tenant() AND EXISTS (
        SELECT 1 FROM equipment e WHERE e.id = ticket.equipment_id
           AND e.tenant_id = ticket.tenant_id));
CREATE POLICY ticket_partner_update ON ticket FOR UPDATE
    USING (service_partner_tenant_id = app_tenant())
    WITH CHECK (service_partner_tenant_id = app_tenant() AND EXISTS (
        SELECT 1 FROM equipment e WHERE e.id = ticket.equipment_id
           AND e.tenant_id = ticket.tenant_id));

CREATE FUNCTION equipment_guard() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    IF app_tenant() IS DISTINCT FROM OLD.tenant_id AND app_tenant() IS NOT NULL AND (
        NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
        OR NEW.manufacturer_tenant_id IS DISTINCT FROM OLD.manufacturer_tenant_id
        OR NEW.sku_id IS DISTINCT FROM OLD.sku_id
        OR NEW.serial_number IS DISTINCT FROM OLD.serial_number
        OR NEW.facility_id IS DISTINCT FROM OLD.facility_id) THEN
        RAISE EXCEPTION 'only the owner of a device may change whose it is, what it is or '
                        'where it stands' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER equipment_guard BEFORE UPDATE ON equipment
    FOR EACH ROW EXECUTE FUNCTION equipment_guard();

CREATE FUNCTION qr_code_guard() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    IF app_tenant() IS DISTINCT FROM OLD.tenant_id AND app_tenant() IS NOT NULL AND (
        NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
        OR NEW.device_id IS DISTINCT FROM OLD.device_id
        OR NEW.payload IS DISTINCT FROM OLD.payload
        OR NEW.key_id IS DISTINCT FROM OLD.key_id
        OR NEW.matrix IS DISTINCT FROM OLD.matrix
        OR NEW.status <> 'revoked') THEN
        RAISE EXCEPTION 'another organisation''s label can only be revoked'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER qr_code_guard BEFORE UPDATE ON qr_code
    FOR EACH ROW EXECUTE FUNCTION qr_code_guard();

CREATE POLICY equipment_facility_visible ON equipment AS RESTRICTIVE FOR INSERT
    WITH CHECK (facility_id IS NULL OR EXISTS (
        SELECT 1 FROM healthcare_facilities f WHERE f.id = equipment.facility_id));
"""

DOWNGRADE = """
DROP POLICY IF EXISTS equipment_facility_visible ON equipment;
DROP TRIGGER IF EXISTS qr_code_guard ON qr_code;
DROP FUNCTION IF EXISTS qr_code_guard();
DROP TRIGGER IF EXISTS equipment_guard ON equipment;
DROP FUNCTION IF EXISTS equipment_guard();
DROP POLICY IF EXISTS ticket_partner_update ON ticket;
DROP POLICY IF EXISTS ticket_partner_write ON ticket;
DROP POLICY IF EXISTS ticket_partner_read ON ticket;
CREATE POLICY ticket_partner ON ticket FOR ALL USING (service_partner_tenant_id = app_tenant())
    WITH CHECK (service_partner_tenant_id = app_tenant());
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
