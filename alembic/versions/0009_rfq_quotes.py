"""RFQs sent to OEMs, and quotes with their revisions.

- `rfq` gains a human number (RFQ-1001), whether it went to every OEM of its SKUs, the
  buyer's facility, `updated_at` and a CHECK on its states. The delivery pincode must be
  a known pincode.
- `rfq_recipient` lists the OEMs an RFQ was sent to. The buyer manages its rows; an OEM
  reads only its own row, and only once the RFQ was opened to it, so it never learns
  who else was invited nor sees a draft. It has no `tenant_id`:
  two organisations own a row together, each through its own column and policy.
- A quote row is one revision. Revising keeps the old row (status `revised`,
  `is_current` false, `superseded_by` the new row), so the history stays readable by
  the buyer (policy `quote_buyer`) and by that OEM (policy `quote_tenant`) and by no
  competing OEM. A quote may only be written against an RFQ the writer can see, with
  that RFQ's buyer as `buyer_tenant_id`: an OEM cannot plant a quote in front of an
  organisation that never asked it.
- An OEM's first quote moves an open RFQ to `negotiating`, and its reading an RFQ marks
  its invitation seen. Both touch rows of the buyer, so they are two SECURITY DEFINER
  functions that change exactly that and nothing else.
- The owner may read and write these tables (policies `*_owner`), so the expiry sweep
  works where the owner is not a superuser.

Revision ID: 0009_rfq_quotes
Revises: 0008_catalog_search
Create Date: 2026-11-25
"""

from alembic import op

from services.settings import get_settings

revision = "0009_rfq_quotes"
down_revision = "0008_catalog_search"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE SEQUENCE rfq_number_seq START 1001;

ALTER TABLE rfq
    ADD COLUMN number BIGINT NOT NULL DEFAULT nextval('rfq_number_seq'),
    ADD COLUMN sent_to_all BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN buyer_facility_id UUID REFERENCES healthcare_facilities (id),
    ADD COLUMN opened_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    ADD CONSTRAINT rfq_status_check CHECK (status IN ('draft', 'open', 'negotiating',
        'awarded', 'closed', 'expired', 'cancelled')),
    ADD CONSTRAINT rfq_delivery_pincode_fk FOREIGN KEY (delivery_pincode)
        REFERENCES indian_pincodes (pincode);
ALTER SEQUENCE rfq_number_seq OWNED BY rfq.number;
CREATE UNIQUE INDEX rfq_number_key ON rfq (number);
CREATE INDEX rfq_expiry_due ON rfq (expires_at) WHERE status IN ('open', 'negotiating');
CREATE INDEX rfq_buyer_recent ON rfq (tenant_id, created_at DESC);

CREATE TABLE rfq_recipient (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    rfq_id UUID NOT NULL REFERENCES rfq (id) ON DELETE CASCADE,
    buyer_tenant_id UUID NOT NULL REFERENCES tenant (id),
    oem_tenant_id UUID NOT NULL REFERENCES tenant (id),
    invited_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    seen_at TIMESTAMP WITH TIME ZONE,
    UNIQUE (rfq_id, oem_tenant_id),
    CHECK (oem_tenant_id <> buyer_tenant_id)
);
CREATE INDEX rfq_recipient_oem ON rfq_recipient (oem_tenant_id, rfq_id);
ALTER TABLE rfq_recipient ENABLE ROW LEVEL SECURITY;
ALTER TABLE rfq_recipient FORCE ROW LEVEL SECURITY;
CREATE POLICY rfq_recipient_buyer ON rfq_recipient
    USING (buyer_tenant_id = app_tenant())
    WITH CHECK (buyer_tenant_id = app_tenant() AND EXISTS (
        SELECT 1 FROM rfq r WHERE r.id = rfq_recipient.rfq_id
           AND r.tenant_id = rfq_recipient.buyer_tenant_id));
CREATE POLICY rfq_recipient_oem ON rfq_recipient FOR SELECT
    USING (oem_tenant_id = app_tenant() AND EXISTS (
        SELECT 1 FROM rfq r WHERE r.id = rfq_recipient.rfq_id));

ALTER TABLE quote
    ADD COLUMN discount_pct NUMERIC(5, 2) NOT NULL DEFAULT 0,
    ADD COLUMN gst_paise BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN lead_time_days INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN warranty_years INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN cmc_years INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN cmc_annual_paise BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN notes TEXT NOT NULL DEFAULT '',
    ADD COLUMN is_current BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN superseded_by UUID REFERENCES quote (id),
    ADD COLUMN submitted_by UUID REFERENCES users (id),
    ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    ADD CONSTRAINT quote_status_check CHECK (status IN ('submitted', 'revised', 'withdrawn',
        'accepted', 'rejected', 'expired')),
    ADD CONSTRAINT quote_discount_check CHECK (discount_pct >= 0 AND discount_pct <= 100),
    ADD CONSTRAINT quote_amounts_check
        CHECK (amount_paise >= 0 AND gst_paise >= 0 AND cmc_annual_paise >= 0),
    ADD CONSTRAINT quote_terms_check CHECK (revision >= 1 AND lead_time_days >= 0
        AND warranty_years >= 0 AND cmc_years >= 0);
CREATE UNIQUE INDEX quote_revision_key ON quote (rfq_id, tenant_id, revision);
CREATE UNIQUE INDEX quote_current_key ON quote (rfq_id, tenant_id) WHERE is_current;

CREATE POLICY quote_rfq_insert ON quote AS RESTRICTIVE FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM rfq r WHERE r.id = quote.rfq_id
                           AND r.tenant_id = quote.buyer_tenant_id));
CREATE POLICY quote_rfq_update ON quote AS RESTRICTIVE FOR UPDATE
    WITH CHECK (EXISTS (SELECT 1 FROM rfq r WHERE r.id = quote.rfq_id
                           AND r.tenant_id = quote.buyer_tenant_id));

CREATE POLICY rfq_owner ON rfq FOR ALL TO CURRENT_USER USING (true);
CREATE POLICY rfq_item_owner ON rfq_item FOR ALL TO CURRENT_USER USING (true);
CREATE POLICY quote_owner ON quote FOR ALL TO CURRENT_USER USING (true);
CREATE POLICY rfq_recipient_owner ON rfq_recipient FOR ALL TO CURRENT_USER USING (true);

-- An invited OEM's first quote starts the negotiation on an open RFQ. Returns the new
-- status, or NULL when nothing changed (not open, or the caller was not invited).
CREATE FUNCTION rfq_quote_received(p_rfq uuid) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    v_buyer uuid;
BEGIN
    UPDATE rfq SET status = 'negotiating', updated_at = now()
     WHERE id = p_rfq AND status = 'open' AND EXISTS (
           SELECT 1 FROM rfq_recipient x WHERE x.rfq_id = p_rfq
              AND x.oem_tenant_id = app_tenant())
    RETURNING tenant_id INTO v_buyer;
    IF v_buyer IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO outbox_event (tenant_id, name, entity, entity_id, payload)
    VALUES (v_buyer, 'RFQStatusChanged', 'rfq', p_rfq::text,
            jsonb_build_object('from', 'open', 'to', 'negotiating', 'by', app_tenant()));
    RETURN 'negotiating';
END
$$;

-- An invited OEM has opened the RFQ (the first time counts).
CREATE FUNCTION rfq_mark_seen(p_rfq uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ UPDATE rfq_recipient SET seen_at = now()
    WHERE rfq_id = p_rfq AND oem_tenant_id = app_tenant() AND seen_at IS NULL $$;
"""

DOWNGRADE = """
DROP FUNCTION IF EXISTS rfq_mark_seen(uuid);
DROP FUNCTION IF EXISTS rfq_quote_received(uuid);
DROP POLICY IF EXISTS rfq_owner ON rfq;
DROP POLICY IF EXISTS rfq_item_owner ON rfq_item;
DROP POLICY IF EXISTS quote_owner ON quote;
DROP POLICY IF EXISTS quote_rfq_insert ON quote;
DROP POLICY IF EXISTS quote_rfq_update ON quote;
DROP INDEX IF EXISTS quote_current_key, quote_revision_key;
ALTER TABLE quote DROP CONSTRAINT IF EXISTS quote_terms_check,
    DROP CONSTRAINT IF EXISTS quote_amounts_check,
    DROP CONSTRAINT IF EXISTS quote_discount_check,
    DROP CONSTRAINT IF EXISTS quote_status_check,
    DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS submitted_by,
    DROP COLUMN IF EXISTS superseded_by, DROP COLUMN IF EXISTS is_current,
    DROP COLUMN IF EXISTS notes, DROP COLUMN IF EXISTS cmc_annual_paise,
    DROP COLUMN IF EXISTS cmc_years, DROP COLUMN IF EXISTS warranty_years,
    DROP COLUMN IF EXISTS lead_time_days, DROP COLUMN IF EXISTS gst_paise,
    DROP COLUMN IF EXISTS discount_pct;
DROP TABLE IF EXISTS rfq_recipient;
DROP INDEX IF EXISTS rfq_buyer_recent, rfq_expiry_due, rfq_number_key;
ALTER TABLE rfq DROP CONSTRAINT IF EXISTS rfq_delivery_pincode_fk,
    DROP CONSTRAINT IF EXISTS rfq_status_check,
    DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS opened_at,
    DROP COLUMN IF EXISTS buyer_facility_id, DROP COLUMN IF EXISTS sent_to_all,
    DROP COLUMN IF EXISTS number;
DROP SEQUENCE IF EXISTS rfq_number_seq;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(UPGRADE)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON rfq_recipient TO {role}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE rfq_number_seq TO {role}")
    op.execute(f"GRANT EXECUTE ON FUNCTION rfq_quote_received(uuid), rfq_mark_seen(uuid) TO {role}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
