"""Accepted offers in the negotiation room and quote terms for the buyer.

- A quote carries the OEM's service terms for the buyer (`service_terms`: installation,
  training, uptime, credit days) beside its free notes.
- A quote revision can be the agreed offer: `agreed_at`, the side that accepted
  (`agreed_side`) and the counter-offer it came from (`agreed_offer_id`, NULL when the
  quote itself was accepted).
- The room gains the `accept` message: who accepted which offer, and the revision it made.
- `quote_agree` writes the agreed revision. The buyer accepting the OEM's counter-offer
  writes a row of the OEM, so it is a SECURITY DEFINER function that checks, under a lock
  on the current quote, that the offer is the one on the table, that the caller is the
  side that did not make it, and that the agreed price is the offer's.

Revision ID: 0013_negotiation_award
Revises: 0012_login_defence
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0013_negotiation_award"
down_revision = "0012_login_defence"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE quote
    ADD COLUMN service_terms JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN agreed_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN agreed_side VARCHAR(8),
    ADD COLUMN agreed_offer_id UUID REFERENCES negotiation_message (id),
    ADD CONSTRAINT quote_agreed_check CHECK (
        (agreed_at IS NULL) = (agreed_side IS NULL)
        AND (agreed_side IS NULL OR agreed_side IN ('buyer', 'oem'))
        AND (agreed_offer_id IS NULL OR agreed_at IS NOT NULL));

ALTER TABLE negotiation_message
    DROP CONSTRAINT negotiation_message_kind_check,
    DROP CONSTRAINT negotiation_message_check,
    ADD CONSTRAINT negotiation_message_kind_check
        CHECK (kind IN ('message', 'counter', 'coachTip', 'accept')),
    ADD CONSTRAINT negotiation_message_check
        CHECK ((kind IN ('counter', 'accept')) = (offer IS NOT NULL) OR kind = 'coachTip');

CREATE FUNCTION quote_agree(p_quote uuid, p_offer uuid, p_fields jsonb) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    q quote%ROWTYPE;
    m negotiation_message%ROWTYPE;
    v_side text;
    v_new uuid;
BEGIN
    SELECT * INTO q FROM quote WHERE id = p_quote FOR UPDATE;
    IF NOT FOUND OR NOT q.is_current OR q.status <> 'submitted' THEN
        RAISE EXCEPTION 'that offer is no longer on the table' USING ERRCODE = '40001';
    END IF;
    IF app_tenant() = q.buyer_tenant_id THEN
        v_side := 'buyer';
    ELSIF app_tenant() = q.tenant_id THEN
        v_side := 'oem';
    ELSE
        RAISE EXCEPTION 'only the buyer and the quoting OEM agree' USING ERRCODE = '42501';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM rfq WHERE id = q.rfq_id AND status IN ('open', 'negotiating'))
    THEN
        RAISE EXCEPTION 'the RFQ is no longer open' USING ERRCODE = '40001';
    END IF;
    IF p_offer IS NULL THEN
        IF v_side <> 'buyer' OR q.agreed_at IS NOT NULL THEN
            RAISE EXCEPTION 'only the buyer accepts the quote itself' USING ERRCODE = '42501';
        END IF;
        IF EXISTS (SELECT 1 FROM negotiation_message x WHERE x.rfq_id = q.rfq_id
                      AND x.oem_tenant_id = q.tenant_id AND x.kind = 'counter'
                      AND x.created_at > q.created_at) THEN
            RAISE EXCEPTION 'that offer is no longer on the table' USING ERRCODE = '40001';
        END IF;
        IF (p_fields->>'amount_paise')::bigint <> q.amount_paise THEN
            RAISE EXCEPTION 'the agreed price is not the quote''s' USING ERRCODE = '22023';
        END IF;
    ELSE
        SELECT * INTO m FROM negotiation_message
         WHERE id = p_offer AND rfq_id = q.rfq_id AND oem_tenant_id = q.tenant_id
           AND kind = 'counter';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no such counter-offer in this room' USING ERRCODE = '22023';
        END IF;
        IF m.side = v_side THEN
            RAISE EXCEPTION 'the other side accepts an offer' USING ERRCODE = '42501';
        END IF;
        IF m.created_at < q.created_at OR EXISTS (
               SELECT 1 FROM negotiation_message x WHERE x.rfq_id = q.rfq_id
                  AND x.oem_tenant_id = q.tenant_id AND x.kind = 'counter' AND x.seq > m.seq)
        THEN
            RAISE EXCEPTION 'that offer is no longer on the table' USING ERRCODE = '40001';
        END IF;
        IF (p_fields->>'amount_paise')::bigint <> (m.offer->>'totalPaise')::bigint THEN
            RAISE EXCEPTION 'the agreed price is not the offer''s' USING ERRCODE = '22023';
        END IF;
    END IF;
    UPDATE quote SET status = 'revised', is_current = false, updated_at = now()
     WHERE id = q.id;
    INSERT INTO quote (tenant_id, rfq_id, buyer_tenant_id, revision, status, amount_paise,
                       discount_pct, gst_paise, lead_time_days, warranty_years, cmc_years,
                       cmc_annual_paise, lines, valid_until, notes, service_terms,
                       is_current, submitted_by, agreed_at, agreed_side, agreed_offer_id)
    VALUES (q.tenant_id, q.rfq_id, q.buyer_tenant_id, q.revision + 1, 'submitted',
            (p_fields->>'amount_paise')::bigint, (p_fields->>'discount_pct')::numeric,
            (p_fields->>'gst_paise')::bigint, (p_fields->>'lead_time_days')::int,
            (p_fields->>'warranty_years')::int, (p_fields->>'cmc_years')::int,
            q.cmc_annual_paise, p_fields->'lines', q.valid_until, q.notes,
            q.service_terms || COALESCE(p_fields->'service_terms', '{}'::jsonb), true,
            q.submitted_by, now(), v_side, p_offer)
    RETURNING id INTO v_new;
    UPDATE quote SET superseded_by = v_new WHERE id = q.id;
    RETURN v_new;
END
$$;
"""

DOWNGRADE = """
DROP FUNCTION IF EXISTS quote_agree(uuid, uuid, jsonb);
ALTER TABLE quote DROP CONSTRAINT IF EXISTS quote_agreed_check,
    DROP COLUMN IF EXISTS agreed_offer_id, DROP COLUMN IF EXISTS agreed_side,
    DROP COLUMN IF EXISTS agreed_at, DROP COLUMN IF EXISTS service_terms;
DROP RULE IF EXISTS negotiation_no_delete ON negotiation_message;
DELETE FROM negotiation_message WHERE kind = 'accept';
CREATE RULE negotiation_no_delete AS ON DELETE TO negotiation_message DO INSTEAD NOTHING;
ALTER TABLE negotiation_message
    DROP CONSTRAINT negotiation_message_kind_check,
    DROP CONSTRAINT negotiation_message_check,
    ADD CONSTRAINT negotiation_message_kind_check
        CHECK (kind IN ('message', 'counter', 'coachTip')),
    ADD CONSTRAINT negotiation_message_check
        CHECK ((kind = 'counter') = (offer IS NOT NULL) OR kind = 'coachTip');
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT EXECUTE ON FUNCTION quote_agree(uuid, uuid, jsonb) TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
