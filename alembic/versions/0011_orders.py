"""Award to contract, purchase order and order.

- `contract` gains a number (CT-1001), its value, and the quote's lines in `terms`.
- `purchase_order` is the buyer's PO to the seller: lines, GST split (CGST and SGST within
  a state, IGST across states), totals, and the place of supply. Written once.
- `sales_order` follows fulfilment: confirmed, shipped (with the serial numbers on the
  delivery challan), delivered (the buyer's goods receipt), installed (the buyer's
  installation sign-off, which puts the devices in its registry), or cancelled.
- All three belong to the buyer (`tenant_id`); the seller reads them, and may move only
  its own orders' fulfilment fields (a trigger refuses any other change by the seller).

Revision ID: 0011_orders
Revises: 0010_negotiation
Create Date: 2026-11-25
"""

from alembic import op

from services.settings import get_settings

revision = "0011_orders"
down_revision = "0010_negotiation"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE SEQUENCE contract_number_seq START 1001;
CREATE SEQUENCE purchase_order_number_seq START 1001;
CREATE SEQUENCE sales_order_number_seq START 1001;

ALTER TABLE contract
    ADD COLUMN number BIGINT NOT NULL DEFAULT nextval('contract_number_seq'),
    ADD COLUMN value_paise BIGINT NOT NULL DEFAULT 0 CHECK (value_paise >= 0);
CREATE UNIQUE INDEX contract_number_key ON contract (number);
CREATE INDEX contract_seller ON contract (seller_tenant_id);
CREATE UNIQUE INDEX contract_quote_key ON contract (quote_id) WHERE quote_id IS NOT NULL;

CREATE TABLE purchase_order (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    number BIGINT NOT NULL DEFAULT nextval('purchase_order_number_seq') UNIQUE,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    seller_tenant_id UUID NOT NULL REFERENCES tenant (id),
    contract_id UUID NOT NULL UNIQUE REFERENCES contract (id),
    rfq_id UUID REFERENCES rfq (id),
    quote_id UUID REFERENCES quote (id),
    lines JSONB NOT NULL DEFAULT '[]',
    place_of_supply VARCHAR(80),
    seller_state VARCHAR(80),
    subtotal_paise BIGINT NOT NULL CHECK (subtotal_paise >= 0),
    cgst_paise BIGINT NOT NULL DEFAULT 0 CHECK (cgst_paise >= 0),
    sgst_paise BIGINT NOT NULL DEFAULT 0 CHECK (sgst_paise >= 0),
    igst_paise BIGINT NOT NULL DEFAULT 0 CHECK (igst_paise >= 0),
    total_paise BIGINT NOT NULL CHECK (total_paise >= 0),
    terms JSONB NOT NULL DEFAULT '{}',
    issued_by UUID REFERENCES users (id),
    issued_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX purchase_order_seller ON purchase_order (seller_tenant_id);

CREATE TABLE sales_order (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    number BIGINT NOT NULL DEFAULT nextval('sales_order_number_seq') UNIQUE,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    seller_tenant_id UUID NOT NULL REFERENCES tenant (id),
    contract_id UUID NOT NULL REFERENCES contract (id),
    purchase_order_id UUID NOT NULL UNIQUE REFERENCES purchase_order (id),
    facility_id UUID REFERENCES healthcare_facilities (id),
    status VARCHAR(16) NOT NULL DEFAULT 'confirmed' CHECK (status IN
        ('confirmed', 'shipped', 'delivered', 'installed', 'cancelled')),
    lines JSONB NOT NULL DEFAULT '[]',
    timeline JSONB NOT NULL DEFAULT '[]',
    shipped_at TIMESTAMP WITH TIME ZONE,
    delivered_at TIMESTAMP WITH TIME ZONE,
    installed_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX sales_order_buyer ON sales_order (tenant_id, created_at DESC);
CREATE INDEX sales_order_seller ON sales_order (seller_tenant_id, created_at DESC);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['purchase_order', 'sales_order']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (seller_tenant_id = app_tenant())',
                   t || '_seller_read', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
CREATE POLICY sales_order_seller_update ON sales_order FOR UPDATE
    USING (seller_tenant_id = app_tenant()) WITH CHECK (seller_tenant_id = app_tenant());

CREATE FUNCTION sales_order_guard() RETURNS trigger LANGUAGE plpgsql AS
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
CREATE TRIGGER sales_order_guard BEFORE UPDATE ON sales_order
    FOR EACH ROW EXECUTE FUNCTION sales_order_guard();
CREATE RULE purchase_order_immutable AS ON UPDATE TO purchase_order DO INSTEAD NOTHING;

-- The state an organisation is registered in, for the GST split on a PO (not a secret).
CREATE FUNCTION tenant_state(p_tenant uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT state::text FROM tenant WHERE id = p_tenant AND app_tenant() IS NOT NULL $$;

-- The buyer awards one OEM's current quote: it is accepted and every other current quote
-- of the RFQ rejected. Quotes belong to their OEMs, so only this definer function may do
-- it, and only for the RFQ's own buyer while the RFQ is live. Returns the rejected count.
CREATE FUNCTION rfq_award(p_rfq uuid, p_quote uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    v_rejected integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM rfq WHERE id = p_rfq AND tenant_id = app_tenant()
                      AND status IN ('open', 'negotiating')) THEN
        RAISE EXCEPTION 'only the buyer of a live RFQ awards it' USING ERRCODE = '42501';
    END IF;
    UPDATE quote SET status = 'accepted', updated_at = now()
     WHERE id = p_quote AND rfq_id = p_rfq AND is_current AND status = 'submitted';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'that quote is not a current quote of this RFQ'
            USING ERRCODE = '22023';
    END IF;
    UPDATE quote SET status = 'rejected', updated_at = now()
     WHERE rfq_id = p_rfq AND id <> p_quote AND is_current AND status = 'submitted';
    GET DIAGNOSTICS v_rejected = ROW_COUNT;
    RETURN v_rejected;
END
$$;
"""

DOWNGRADE = """
DROP FUNCTION IF EXISTS rfq_award(uuid, uuid);
DROP FUNCTION IF EXISTS tenant_state(uuid);
DROP TABLE IF EXISTS sales_order;
DROP TABLE IF EXISTS purchase_order;
DROP FUNCTION IF EXISTS sales_order_guard();
DROP INDEX IF EXISTS contract_quote_key, contract_seller, contract_number_key;
ALTER TABLE contract DROP COLUMN IF EXISTS value_paise, DROP COLUMN IF EXISTS number;
DROP SEQUENCE IF EXISTS sales_order_number_seq, purchase_order_number_seq,
    contract_number_seq;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(UPGRADE)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON purchase_order, sales_order TO {role}")
    op.execute(
        f"GRANT USAGE, SELECT ON SEQUENCE contract_number_seq, "
        f"purchase_order_number_seq, sales_order_number_seq TO {role}"
    )
    op.execute(f"GRANT EXECUTE ON FUNCTION tenant_state(uuid), rfq_award(uuid, uuid) TO {role}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
