"""WhatsApp intake: inbound payloads, conversations, message log.

- `whatsapp_inbound`: every webhook body as it arrived, and what processing made of it.
- `whatsapp_conversation`: one dialogue with a number (who, which device, the pending
  question, the ticket it opened, who took it over).
- `whatsapp_message`: every message in and out with its status and attempts; an inbound
  message id is kept once, so the same message is never processed twice.
- `users.phone`: a user's WhatsApp number, unique across the platform.

Rows of an unknown number have no tenant: only the owner connection sees them.

Revision ID: 0024_whatsapp
Revises: 0023_failure_prediction
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0024_whatsapp"
down_revision = "0023_failure_prediction"
branch_labels = None
depends_on = None

TABLES = ("whatsapp_inbound", "whatsapp_conversation", "whatsapp_message")

UPGRADE = """
ALTER TABLE users ADD COLUMN phone VARCHAR(20);
CREATE UNIQUE INDEX users_phone ON users (phone) WHERE phone IS NOT NULL;

-- A user sets their own number (or an admin of their organisation does).
CREATE FUNCTION identity_set_phone(p_user uuid, p_phone text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF p_user IS DISTINCT FROM app_user() AND NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    UPDATE users SET phone = p_phone WHERE id = p_user;
END
$$;

CREATE TABLE whatsapp_inbound (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID REFERENCES tenant (id),
    raw_body BYTEA NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    state VARCHAR(10) NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'processed', 'ignored', 'failed')),
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    processed_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX whatsapp_inbound_open ON whatsapp_inbound (received_at)
    WHERE state IN ('pending', 'failed');

CREATE TABLE whatsapp_conversation (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID REFERENCES tenant (id),
    phone VARCHAR(20) NOT NULL,
    user_id UUID REFERENCES users (id),
    state VARCHAR(16) NOT NULL DEFAULT 'new' CHECK (state IN
        ('new', 'awaiting_device', 'awaiting_intent', 'ticket_open', 'closed')),
    device_id UUID REFERENCES equipment (id),
    ticket_id UUID REFERENCES ticket (id),
    intent VARCHAR(20),
    confidence DOUBLE PRECISION,
    pending JSONB NOT NULL DEFAULT '{}',
    taken_over_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    last_message_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
-- One open dialogue per number at a time.
CREATE UNIQUE INDEX whatsapp_conversation_open ON whatsapp_conversation (phone)
    WHERE state <> 'closed';
CREATE INDEX whatsapp_conversation_recent ON whatsapp_conversation
    (tenant_id, last_message_at DESC);

CREATE TABLE whatsapp_message (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID REFERENCES tenant (id),
    conversation_id UUID REFERENCES whatsapp_conversation (id),
    direction VARCHAR(3) NOT NULL CHECK (direction IN ('in', 'out')),
    wa_message_id VARCHAR(200),
    phone VARCHAR(20) NOT NULL,
    kind VARCHAR(20) NOT NULL DEFAULT 'text',
    body TEXT NOT NULL DEFAULT '',
    payload JSONB NOT NULL DEFAULT '{}',
    status VARCHAR(10) NOT NULL DEFAULT 'queued' CHECK (status IN
        ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    user_id UUID REFERENCES users (id),
    sent_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX whatsapp_message_once ON whatsapp_message (direction, wa_message_id)
    WHERE wa_message_id IS NOT NULL;
CREATE INDEX whatsapp_message_thread ON whatsapp_message (conversation_id, created_at);
CREATE INDEX whatsapp_message_recent ON whatsapp_message (tenant_id, created_at DESC);
CREATE INDEX whatsapp_message_queued ON whatsapp_message (updated_at)
    WHERE status = 'queued';

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['whatsapp_inbound', 'whatsapp_conversation', 'whatsapp_message']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
-- Whoever sees a ticket sees the WhatsApp dialogue that opened it (the OEM's service desk
-- reads the hospital's thread).
CREATE POLICY whatsapp_conversation_ticket ON whatsapp_conversation FOR SELECT
    USING (ticket_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM ticket t WHERE t.id = whatsapp_conversation.ticket_id));
CREATE POLICY whatsapp_message_ticket ON whatsapp_message FOR SELECT
    USING (EXISTS (SELECT 1 FROM whatsapp_conversation c
                   WHERE c.id = whatsapp_message.conversation_id));

-- The service desk that works a thread's ticket takes the thread over (it cannot update a
-- customer's row otherwise): automatic answers stop from then on.
CREATE FUNCTION whatsapp_take_over(p_conversation uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    UPDATE whatsapp_conversation c SET taken_over_by = app_user()
      FROM ticket t
     WHERE c.id = p_conversation AND t.id = c.ticket_id AND app_user() IS NOT NULL
       AND app_tenant() IN (t.tenant_id, t.service_partner_tenant_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'only the service desk of the thread''s ticket may take it over'
            USING ERRCODE = '42501';
    END IF;
END
$$;
"""

DOWNGRADE = """
DROP FUNCTION IF EXISTS whatsapp_take_over(uuid);
DROP TABLE IF EXISTS whatsapp_message;
DROP TABLE IF EXISTS whatsapp_conversation;
DROP TABLE IF EXISTS whatsapp_inbound;
DROP FUNCTION IF EXISTS identity_set_phone(uuid, text);
DROP INDEX IF EXISTS users_phone;
ALTER TABLE users DROP COLUMN IF EXISTS phone;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )
    op.execute(f"GRANT INSERT (phone) ON users TO {get_settings().app_db_role}")


def downgrade() -> None:
    op.execute(DOWNGRADE)
