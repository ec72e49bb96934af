"""Negotiation rooms: one thread per RFQ and invited OEM.

- `negotiation_message` holds messages, counter-offers (a structured `offer`) and the
  coach's tips. Two organisations share a thread: the RFQ's buyer and one invited OEM.
  Each reads and writes it through its own column, and a competing OEM never sees it.
- A coach tip is written for one side only (`audience`): the buyer's coach and the OEM's
  coach must not be overheard by the other side.
- Messages are immutable. The only change allowed is each side stamping when it read the
  other side's messages, and only its own stamp (a trigger refuses anything else).
- Every new message is announced with NOTIFY `negotiation_changed`, so open rooms and
  `/ws/negotiation/{rfqId}` clients hear of it at once.

Revision ID: 0010_negotiation
Revises: 0009_rfq_quotes
Create Date: 2026-11-25
"""

from alembic import op

from services.settings import get_settings

revision = "0010_negotiation"
down_revision = "0009_rfq_quotes"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE negotiation_message (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    rfq_id UUID NOT NULL REFERENCES rfq (id) ON DELETE CASCADE,
    buyer_tenant_id UUID NOT NULL REFERENCES tenant (id),
    oem_tenant_id UUID NOT NULL REFERENCES tenant (id),
    author_user_id UUID REFERENCES users (id),
    side VARCHAR(8) NOT NULL CHECK (side IN ('buyer', 'oem', 'coach')),
    audience VARCHAR(8) NOT NULL DEFAULT 'both' CHECK (audience IN ('both', 'buyer', 'oem')),
    kind VARCHAR(16) NOT NULL CHECK (kind IN ('message', 'counter', 'coachTip')),
    body TEXT NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    offer JSONB,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    read_by_buyer_at TIMESTAMP WITH TIME ZONE,
    read_by_oem_at TIMESTAMP WITH TIME ZONE,
    CHECK ((kind = 'counter') = (offer IS NOT NULL) OR kind = 'coachTip'),
    CHECK ((side = 'coach') = (kind = 'coachTip'))
);
CREATE UNIQUE INDEX negotiation_message_seq ON negotiation_message (seq);
CREATE INDEX negotiation_thread ON negotiation_message (rfq_id, oem_tenant_id, seq);
CREATE INDEX negotiation_oem ON negotiation_message (oem_tenant_id, rfq_id);
CREATE INDEX negotiation_buyer ON negotiation_message (buyer_tenant_id, rfq_id);

ALTER TABLE negotiation_message ENABLE ROW LEVEL SECURITY;
ALTER TABLE negotiation_message FORCE ROW LEVEL SECURITY;
CREATE POLICY negotiation_buyer_read ON negotiation_message FOR SELECT
    USING (buyer_tenant_id = app_tenant() AND audience IN ('both', 'buyer'));
CREATE POLICY negotiation_buyer_write ON negotiation_message FOR INSERT
    WITH CHECK (buyer_tenant_id = app_tenant() AND audience IN ('both', 'buyer')
                AND side IN ('buyer', 'coach'));
CREATE POLICY negotiation_buyer_stamp ON negotiation_message FOR UPDATE
    USING (buyer_tenant_id = app_tenant() AND audience IN ('both', 'buyer'));
CREATE POLICY negotiation_oem_read ON negotiation_message FOR SELECT
    USING (oem_tenant_id = app_tenant() AND audience IN ('both', 'oem'));
CREATE POLICY negotiation_oem_write ON negotiation_message FOR INSERT
    WITH CHECK (oem_tenant_id = app_tenant() AND audience IN ('both', 'oem')
                AND side IN ('oem', 'coach'));
CREATE POLICY negotiation_oem_stamp ON negotiation_message FOR UPDATE
    USING (oem_tenant_id = app_tenant() AND audience IN ('both', 'oem'));
-- Only a thread of a real invitation: the RFQ's own buyer and an OEM it was sent to.
CREATE POLICY negotiation_invited ON negotiation_message AS RESTRICTIVE FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM rfq_recipient x
                         WHERE x.rfq_id = negotiation_message.rfq_id
                           AND x.oem_tenant_id = negotiation_message.oem_tenant_id
                           AND x.buyer_tenant_id = negotiation_message.buyer_tenant_id));
CREATE POLICY negotiation_owner ON negotiation_message FOR ALL TO CURRENT_USER USING (true);

CREATE FUNCTION negotiation_guard() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF (NEW.id, NEW.seq, NEW.rfq_id, NEW.buyer_tenant_id, NEW.oem_tenant_id,
        NEW.author_user_id, NEW.side, NEW.audience, NEW.kind, NEW.body, NEW.offer,
        NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.seq, OLD.rfq_id, OLD.buyer_tenant_id, OLD.oem_tenant_id,
        OLD.author_user_id, OLD.side, OLD.audience, OLD.kind, OLD.body, OLD.offer,
        OLD.created_at) THEN
        RAISE EXCEPTION 'negotiation messages cannot be changed' USING ERRCODE = '42501';
    END IF;
    IF app_tenant() IS NOT NULL AND (
         (NEW.read_by_buyer_at IS DISTINCT FROM OLD.read_by_buyer_at
          AND app_tenant() <> OLD.buyer_tenant_id)
      OR (NEW.read_by_oem_at IS DISTINCT FROM OLD.read_by_oem_at
          AND app_tenant() <> OLD.oem_tenant_id)) THEN
        RAISE EXCEPTION 'each side stamps only its own reading' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER negotiation_guard BEFORE UPDATE ON negotiation_message
    FOR EACH ROW EXECUTE FUNCTION negotiation_guard();
CREATE RULE negotiation_no_delete AS ON DELETE TO negotiation_message DO INSTEAD NOTHING;

CREATE FUNCTION negotiation_notify() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('negotiation_changed', json_build_object(
        'id', NEW.id, 'rfqId', NEW.rfq_id, 'oemId', NEW.oem_tenant_id,
        'buyerId', NEW.buyer_tenant_id, 'kind', NEW.kind, 'audience', NEW.audience,
        'seq', NEW.seq)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER negotiation_notify AFTER INSERT ON negotiation_message
    FOR EACH ROW EXECUTE FUNCTION negotiation_notify();
"""

DOWNGRADE = """
DROP TABLE IF EXISTS negotiation_message;
DROP FUNCTION IF EXISTS negotiation_notify();
DROP FUNCTION IF EXISTS negotiation_guard();
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE ON negotiation_message TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
