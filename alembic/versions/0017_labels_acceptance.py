"""Label print jobs and acceptance records of deliveries and installations.

- `label_print_job`: labels printed for chosen devices, from which position of a part-used
  sheet; a device counts as printed only once someone confirms the labels are stuck on.
- `sales_order` gains the shipment (transporter, docket number), the buyer's goods-received
  note and the installation report, each a JSON record kept on the order. The seller may
  still write only the shipment; the buyer alone writes the GRN and the installation report.
- `order_attachment`: photos taken at delivery or installation, the buyer's; the seller
  reads them.
- The seller of an order reads the site it ships to.
- A change to an order notifies `order_changed` (ids only) so open orders pages update.

Revision ID: 0017_labels_acceptance
Revises: 0016_notifications
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0017_labels_acceptance"
down_revision = "0016_notifications"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE label_print_job (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    device_ids JSONB NOT NULL DEFAULT '[]',
    start_at SMALLINT NOT NULL DEFAULT 1 CHECK (start_at BETWEEN 1 AND 21),
    label_count INTEGER NOT NULL DEFAULT 0 CHECK (label_count >= 0),
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    confirmed_by UUID REFERENCES users (id),
    confirmed_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX label_print_job_tenant ON label_print_job (tenant_id, created_at DESC);

ALTER TABLE sales_order
    ADD COLUMN shipment JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN goods_receipt JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN installation_report JSONB NOT NULL DEFAULT '{}';

CREATE TABLE order_attachment (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    seller_tenant_id UUID NOT NULL REFERENCES tenant (id),
    order_id UUID NOT NULL REFERENCES sales_order (id),
    kind VARCHAR(16) NOT NULL CHECK (kind IN ('delivery', 'installation')),
    file_name VARCHAR(200) NOT NULL,
    content_type VARCHAR(80) NOT NULL,
    data BYTEA NOT NULL,
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX order_attachment_order ON order_attachment (order_id, created_at);

ALTER TABLE label_print_job ENABLE ROW LEVEL SECURITY;
ALTER TABLE label_print_job FORCE ROW LEVEL SECURITY;
CREATE POLICY label_print_job_tenant ON label_print_job USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
CREATE POLICY label_print_job_owner ON label_print_job FOR ALL TO CURRENT_USER USING (true);

ALTER TABLE order_attachment ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_attachment FORCE ROW LEVEL SECURITY;
CREATE POLICY order_attachment_tenant ON order_attachment USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
CREATE POLICY order_attachment_seller_read ON order_attachment FOR SELECT
    USING (seller_tenant_id = app_tenant());
CREATE POLICY order_attachment_owner ON order_attachment FOR ALL TO CURRENT_USER USING (true);

-- The seller of an order reads the site it ships to (name, address, pincode).
CREATE POLICY facility_ship_to ON healthcare_facilities FOR SELECT
    USING (EXISTS (SELECT 1 FROM sales_order o WHERE o.facility_id = healthcare_facilities.id
                      AND o.seller_tenant_id = app_tenant()));

CREATE OR REPLACE FUNCTION sales_order_guard() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF (NEW.id, NEW.number, NEW.tenant_id, NEW.seller_tenant_id, NEW.contract_id,
        NEW.purchase_order_id, NEW.facility_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.number, OLD.tenant_id, OLD.seller_tenant_id, OLD.contract_id,
        OLD.purchase_order_id, OLD.facility_id, OLD.created_at) THEN
        RAISE EXCEPTION 'an order''s parties and references cannot change'
            USING ERRCODE = '42501';
    END IF;
    IF app_tenant() = OLD.seller_tenant_id AND (
        NEW.status NOT IN ('confirmed', 'shipped')
        OR (NEW.goods_receipt, NEW.installation_report)
           IS DISTINCT FROM (OLD.goods_receipt, OLD.installation_report)) THEN
        RAISE EXCEPTION 'the seller ships; the buyer receives and signs off installation'
            USING ERRCODE = '42501';
    END IF;
    IF app_tenant() = OLD.tenant_id AND app_tenant() <> OLD.seller_tenant_id
       AND NEW.shipment IS DISTINCT FROM OLD.shipment THEN
        RAISE EXCEPTION 'the shipment is the seller''s record' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION sales_order_notify() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    PERFORM pg_notify('order_changed', json_build_object(
        'id', NEW.id, 'tenantId', NEW.tenant_id, 'sellerId', NEW.seller_tenant_id,
        'status', NEW.status)::text);
    RETURN NEW;
END $$;
CREATE TRIGGER sales_order_changed AFTER INSERT OR UPDATE ON sales_order
    FOR EACH ROW EXECUTE FUNCTION sales_order_notify();
"""

DOWNGRADE = """
DROP TRIGGER IF EXISTS sales_order_changed ON sales_order;
DROP POLICY IF EXISTS facility_ship_to ON healthcare_facilities;
DROP FUNCTION IF EXISTS sales_order_notify();
CREATE OR REPLACE FUNCTION sales_order_guard() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF (NEW.id, NEW.number, NEW.tenant_id, NEW.seller_tenant_id, NEW.contract_id,
        NEW.purchase_order_id, NEW.facility_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.number, OLD.tenant_id, OLD.seller_tenant_id, OLD.contract_id,
        OLD.purchase_order_id, OLD.facility_id, OLD.created_at) THEN
        RAISE EXCEPTION 'an order''s parties and references cannot change'
            USING ERRCODE = '42501';
    END IF;
    IF app_tenant() = OLD.seller_tenant_id AND NEW.status NOT IN ('confirmed', 'shipped') THEN
        RAISE EXCEPTION 'the seller ships; the buyer receives and signs off installation'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
DROP TABLE IF EXISTS order_attachment;
ALTER TABLE sales_order DROP COLUMN IF EXISTS installation_report,
    DROP COLUMN IF EXISTS goods_receipt, DROP COLUMN IF EXISTS shipment;
DROP TABLE IF EXISTS label_print_job;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(UPGRADE)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON label_print_job TO {role}")
    op.execute(f"GRANT SELECT, INSERT ON order_attachment TO {role}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
