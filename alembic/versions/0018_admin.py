"""Invitations, password resets and audit filters for administrators.

- `account_link` holds one-time links: an invitation (sets the first password) or a
  password reset. Only the SHA-256 of the link's secret is stored. Admins read their
  organisation's links; links are issued and redeemed only through definer functions:
  `identity_issue_link` (an admin of the user's organisation, or the platform; a new link
  ends the user's older ones) and `identity_redeem_link` (outside any organisation, by
  the link's secret: sets the password, ends the account's sessions and tokens and writes
  the audit entry).
- `identity_set_active` and `identity_set_roles` keep at least one active admin in every
  organisation that has one: the change that would leave none is refused.
- Indexes for filtering the audit trail by who acted, by action and by time.

Revision ID: 0018_admin
Revises: 0017_labels_acceptance
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0018_admin"
down_revision = "0017_labels_acceptance"
branch_labels = None
depends_on = None

UPGRADE = r"""
CREATE TABLE account_link (
    id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenant (id),
    user_id UUID NOT NULL REFERENCES users (id),
    purpose VARCHAR(10) NOT NULL CHECK (purpose IN ('invite', 'reset')),
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX account_link_user ON account_link (user_id, created_at DESC);
ALTER TABLE account_link ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_link FORCE ROW LEVEL SECURITY;
CREATE POLICY account_link_tenant ON account_link FOR SELECT USING (tenant_id = app_tenant());
CREATE POLICY account_link_platform ON account_link FOR SELECT USING (app_is_platform());
CREATE POLICY account_link_owner ON account_link FOR ALL TO CURRENT_USER USING (true);

CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_created ON audit_log (created_at);

-- A new one-time link for `p_user`; the user's older unused links end. Returns its expiry.
CREATE FUNCTION identity_issue_link(p_user uuid, p_purpose text, p_hash text, p_ttl_s integer)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    v_expires timestamptz;
BEGIN
    IF NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    UPDATE account_link SET used_at = now() WHERE user_id = p_user AND used_at IS NULL;
    INSERT INTO account_link (tenant_id, user_id, purpose, token_hash, created_by, expires_at)
    SELECT u.tenant_id, u.id, p_purpose, p_hash, app_user(),
           now() + make_interval(secs => p_ttl_s)
      FROM users u WHERE u.id = p_user
    RETURNING expires_at INTO v_expires;
    RETURN v_expires;
END
$$;

-- What a live link is for, shown on the page that redeems it (no organisation signed in).
CREATE FUNCTION identity_link_lookup(p_hash text) RETURNS TABLE (
    purpose text, email text, full_name text, organisation text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT l.purpose::text, u.email::text, u.full_name::text, t.name::text, l.expires_at
     FROM account_link l JOIN users u ON u.id = l.user_id JOIN tenant t ON t.id = u.tenant_id
    WHERE l.token_hash = p_hash AND l.used_at IS NULL AND l.expires_at > now()
      AND u.is_active AND app_tenant() IS NULL $$;

-- Redeems a live link: sets the password, ends the account's sessions and tokens, clears
-- its sign-in lock and writes the audit entry. Returns the user's id, or NULL when the link
-- is unknown, used, expired or its account disabled.
CREATE FUNCTION identity_redeem_link(p_hash text, p_password_hash text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    v_link account_link;
    v_user users;
BEGIN
    IF app_tenant() IS NOT NULL THEN
        RAISE EXCEPTION 'a link is redeemed outside any organisation' USING ERRCODE = '42501';
    END IF;
    IF p_password_hash !~ '^\$argon2id\$' THEN
        RAISE EXCEPTION 'a password is stored as an argon2id hash' USING ERRCODE = '22023';
    END IF;
    SELECT l.* INTO v_link FROM account_link l JOIN users u ON u.id = l.user_id
     WHERE l.token_hash = p_hash AND l.used_at IS NULL AND l.expires_at > now() AND u.is_active
       FOR UPDATE OF l;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE account_link SET used_at = now() WHERE id = v_link.id;
    UPDATE users SET password_hash = p_password_hash, token_generation = token_generation + 1
     WHERE id = v_link.user_id RETURNING * INTO v_user;
    UPDATE user_session SET revoked_at = now() WHERE user_id = v_user.id AND revoked_at IS NULL;
    DELETE FROM login_throttle WHERE key = 'account:' || v_user.email;
    INSERT INTO audit_log (tenant_id, actor_id, actor_label, action, entity, entity_id,
                           summary, seq, prev_hash, hash)
    VALUES (v_user.tenant_id, v_user.id, v_user.email,
            CASE v_link.purpose WHEN 'invite' THEN 'user.invite_accepted'
                 ELSE 'user.password_reset' END,
            'user', v_user.id::text,
            CASE v_link.purpose WHEN 'invite' THEN 'invitation accepted: password set'
                 ELSE 'password reset through a one-time link: sessions and tokens ended' END,
            0, '', '');
    RETURN v_user.id;
END
$$;

-- Refuses a change that would leave the user's organisation without an active admin.
-- The lock makes two admins removing each other at once wait for one another.
CREATE FUNCTION identity_keep_an_admin(p_user uuid, p_active boolean, p_roles text[])
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    v_admin text[] := ARRAY['buyer_admin', 'oem_admin', 'platform_admin'];
    v_user users;
BEGIN
    SELECT * INTO v_user FROM users WHERE id = p_user;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('tenant_admins'), hashtext(v_user.tenant_id::text));
    SELECT * INTO v_user FROM users WHERE id = p_user;
    IF v_user.is_active AND v_user.roles && v_admin
       AND NOT (p_active AND p_roles && v_admin)
       AND NOT EXISTS (SELECT 1 FROM users o WHERE o.tenant_id = v_user.tenant_id
                          AND o.id <> p_user AND o.is_active AND o.roles && v_admin) THEN
        RAISE EXCEPTION 'an organisation keeps at least one active admin'
            USING ERRCODE = 'P0001';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION identity_set_active(p_user uuid, p_active boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    PERFORM identity_keep_an_admin(p_user, p_active, (SELECT roles FROM users WHERE id = p_user));
    UPDATE users SET is_active = p_active, token_generation = token_generation + 1
     WHERE id = p_user AND is_active IS DISTINCT FROM p_active;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF NOT p_active THEN
        UPDATE user_session SET revoked_at = now() WHERE user_id = p_user AND revoked_at IS NULL;
        UPDATE account_link SET used_at = now() WHERE user_id = p_user AND used_at IS NULL;
    END IF;
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION identity_set_roles(p_user uuid, p_roles text[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    IF 'platform_admin' = ANY(p_roles) AND NOT app_is_platform() THEN
        PERFORM identity_refuse();
    END IF;
    PERFORM identity_keep_an_admin(p_user, true, p_roles);
    UPDATE users SET roles = p_roles, token_generation = token_generation + 1 WHERE id = p_user;
END
$$;
"""

DOWNGRADE = r"""
CREATE OR REPLACE FUNCTION identity_set_active(p_user uuid, p_active boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    UPDATE users SET is_active = p_active, token_generation = token_generation + 1
     WHERE id = p_user AND is_active IS DISTINCT FROM p_active;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF NOT p_active THEN
        UPDATE user_session SET revoked_at = now() WHERE user_id = p_user AND revoked_at IS NULL;
    END IF;
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION identity_set_roles(p_user uuid, p_roles text[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    IF 'platform_admin' = ANY(p_roles) AND NOT app_is_platform() THEN
        PERFORM identity_refuse();
    END IF;
    UPDATE users SET roles = p_roles, token_generation = token_generation + 1 WHERE id = p_user;
END
$$;

DROP FUNCTION IF EXISTS identity_keep_an_admin(uuid, boolean, text[]);
DROP FUNCTION IF EXISTS identity_redeem_link(text, text);
DROP FUNCTION IF EXISTS identity_link_lookup(text);
DROP FUNCTION IF EXISTS identity_issue_link(uuid, text, text, integer);
DROP INDEX IF EXISTS audit_log_created, audit_log_action, audit_log_actor;
DROP TABLE IF EXISTS account_link;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(UPGRADE)
    op.execute(f"GRANT SELECT ON account_link TO {role}")
    op.execute(
        "GRANT EXECUTE ON FUNCTION identity_issue_link(uuid, text, text, integer), "
        "identity_link_lookup(text), identity_redeem_link(text, text), "
        f"identity_keep_an_admin(uuid, boolean, text[]) TO {role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
