"""Notifications over channels and languages.

- `notification_preference`: per person, the language their notices are written in
  (en, hi, ta, mr) and, per kind of notice, the channels it goes out on (in_app, whatsapp,
  email). A person without a row gets the defaults (English, in-app only).
- `notification_message`: the message log of every outbound notice on WhatsApp or e-mail:
  who it went to, in which language and template, its status and send attempts. E-mail
  rows are also the e-mail outbox: a queued row is sent by the workers, with backoff after
  a failure. A WhatsApp row points at the WhatsApp message log, which holds its delivery.
- Both are kept to their organisation by row-level security; a person's preferences are
  read and written by that person only (work the platform does by itself reads all).

Revision ID: 0025_notify_channels
Revises: 0024_whatsapp
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0025_notify_channels"
down_revision = "0024_whatsapp"
branch_labels = None
depends_on = None

TABLES = ("notification_preference", "notification_message")

UPGRADE = """
CREATE TABLE notification_preference (
    user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    language VARCHAR(5) NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'hi', 'ta', 'mr')),
    channels JSONB NOT NULL DEFAULT '{}',
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX notification_preference_tenant_id ON notification_preference (tenant_id, user_id);

CREATE TABLE notification_message (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    user_id UUID REFERENCES users (id) ON DELETE SET NULL,
    kind VARCHAR(40) NOT NULL,
    channel VARCHAR(10) NOT NULL CHECK (channel IN ('whatsapp', 'email')),
    language VARCHAR(5) NOT NULL,
    recipient VARCHAR(254) NOT NULL,
    template VARCHAR(60) NOT NULL DEFAULT '',
    subject VARCHAR(300) NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    status VARCHAR(10) NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    whatsapp_message_id UUID,
    ticket_id UUID REFERENCES ticket (id),
    dedupe_key VARCHAR(200),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX notification_message_log ON notification_message (tenant_id, created_at DESC);
CREATE INDEX notification_message_due ON notification_message (next_attempt_at)
    WHERE status = 'queued';
CREATE UNIQUE INDEX notification_message_dedupe ON notification_message
    (channel, recipient, dedupe_key) WHERE dedupe_key IS NOT NULL;

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['notification_preference', 'notification_message']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO CURRENT_USER USING (true)',
                   t || '_owner', t);
  END LOOP;
END $$;
-- A signed-in person reads and writes only their own choices.
CREATE POLICY notification_preference_own ON notification_preference AS RESTRICTIVE FOR ALL
    USING (app_user() IS NULL OR user_id = app_user())
    WITH CHECK (app_user() IS NULL OR user_id = app_user());
"""

DOWNGRADE = """
DROP TABLE IF EXISTS notification_message;
DROP TABLE IF EXISTS notification_preference;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} "
        f"TO {get_settings().app_db_role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
