"""In-app notifications for the people who must act.

- `notification` rows become personal: `user_id` names the one person a notice is for
  (rows without it are the older notices for everyone holding `role`), `kind` says what
  happened, `link` is the page of the thing, and `dedupe_key` lets a notice delivered
  twice be written once.
- Row-level security as before keeps each organisation's notices to itself; a restrictive
  policy adds that a signed-in user reads and marks only their own notices (or their
  role's older ones). Work the platform does by itself (no user) writes for anyone.
- A change to a notice notifies `notification_changed` (ids only) so the bell of each open
  tab updates.

Revision ID: 0016_notifications
Revises: 0015_dispatch_p1
Create Date: 2026-12-01
"""

from alembic import op

revision = "0016_notifications"
down_revision = "0015_dispatch_p1"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE notification
    ADD COLUMN user_id UUID REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN kind VARCHAR(40) NOT NULL DEFAULT 'notice',
    ADD COLUMN link VARCHAR(300) NOT NULL DEFAULT '',
    ADD COLUMN dedupe_key VARCHAR(160);
CREATE INDEX notification_user_inbox ON notification (tenant_id, user_id, created_at DESC);
CREATE UNIQUE INDEX notification_dedupe ON notification (user_id, dedupe_key)
    WHERE dedupe_key IS NOT NULL;

CREATE POLICY notification_own_user ON notification AS RESTRICTIVE FOR ALL
    USING (app_user() IS NULL OR user_id IS NULL OR user_id = app_user())
    WITH CHECK (app_user() IS NULL OR user_id IS NULL OR user_id = app_user());

-- Open bells listen on this channel; the payload names the notice's reader, never its text.
CREATE FUNCTION notification_notify() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    PERFORM pg_notify('notification_changed', json_build_object(
        'id', NEW.id, 'tenantId', NEW.tenant_id, 'userId', NEW.user_id,
        'role', NEW.role)::text);
    RETURN NEW;
END $$;
CREATE TRIGGER notification_changed AFTER INSERT OR UPDATE ON notification
    FOR EACH ROW EXECUTE FUNCTION notification_notify();
"""

DOWNGRADE = """
DROP TRIGGER IF EXISTS notification_changed ON notification;
DROP FUNCTION IF EXISTS notification_notify();
DROP POLICY IF EXISTS notification_own_user ON notification;
DROP INDEX IF EXISTS notification_dedupe, notification_user_inbox;
ALTER TABLE notification DROP COLUMN IF EXISTS dedupe_key, DROP COLUMN IF EXISTS link,
    DROP COLUMN IF EXISTS kind, DROP COLUMN IF EXISTS user_id;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
