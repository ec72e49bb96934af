"""Sign-in throttling, credential revocation and defence in depth for identity rows.

- `login_throttle` counts failed sign-ins per account and per client address; a key that
  reaches its limit inside the window is locked, each lock twice as long as the one
  before (reset a day after the last lock ended). Only definer functions touch it, and
  each lock is written to the audit trail by the database itself.
- `users.token_generation` is carried in every bearer token; disabling an account,
  changing its roles or password, or signing out bumps it, so older tokens are refused.
- The application role may change only `full_name` and `last_login_at` of a user row;
  roles, password hash, active flag and token generation change through `identity_*`
  functions, which check that the caller (`app.user_id`) is the user or an admin of the
  user's organisation (or the platform).
- Session rows are visible to their own user only (`app.user_id`), even within a tenant.
- No function is executable by PUBLIC; definer functions without a caller check gain one.

Revision ID: 0012_login_defence
Revises: 0011_orders
Create Date: 2026-11-26
"""

from alembic import op

from services.settings import get_settings

revision = "0012_login_defence"
down_revision = "0011_orders"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE users ADD COLUMN token_generation INTEGER DEFAULT 0 NOT NULL;

CREATE TABLE login_throttle (
    key VARCHAR(300) PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    window_started_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    lockouts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP WITH TIME ZONE
);
REVOKE ALL ON login_throttle FROM PUBLIC;

CREATE FUNCTION app_user() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

-- Seconds left on the longest lock of an account or an address; 0 when neither is locked.
CREATE FUNCTION auth_throttle_wait(p_email text, p_address text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT coalesce(ceil(extract(epoch FROM max(locked_until) - now()))::integer, 0)
     FROM login_throttle
    WHERE key IN ('account:' || lower(p_email), 'address:' || p_address)
      AND locked_until > now() $$;

-- One failure on one key; returns the seconds of the lock it starts, or 0.
CREATE FUNCTION auth_throttle_count(p_key text, p_limit integer, p_window_s integer,
                                    p_lock_s integer, p_max_lock_s integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    r login_throttle;
    v_lock integer;
BEGIN
    INSERT INTO login_throttle AS t (key, failures, window_started_at) VALUES (p_key, 1, now())
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < now() - make_interval(secs => p_window_s)
                        THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => p_window_s)
                                 THEN now() ELSE t.window_started_at END,
        lockouts = CASE WHEN t.locked_until < now() - interval '1 day' THEN 0 ELSE t.lockouts END
    RETURNING * INTO r;
    IF r.failures < greatest(p_limit, 1) THEN
        RETURN 0;
    END IF;
    v_lock := least(p_lock_s::bigint * (2::bigint ^ least(r.lockouts, 30)), p_max_lock_s)::integer;
    UPDATE login_throttle SET failures = 0, window_started_at = now(), lockouts = lockouts + 1,
           locked_until = now() + make_interval(secs => v_lock)
     WHERE key = p_key;
    RETURN v_lock;
END
$$;

-- A failed sign-in: counts it for the account and the address, audits any lock it
-- starts (in the account's organisation, or platform-wide for an address or an unknown
-- e-mail) and returns the longest lock started, in seconds (0: none).
CREATE FUNCTION auth_login_failed(p_email text, p_address text, p_account_limit integer,
                                  p_address_limit integer, p_window_s integer, p_lock_s integer,
                                  p_max_lock_s integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    v_email text := left(lower(p_email), 254);
    v_account integer := 0;
    v_address integer := 0;
    v_user users;
BEGIN
    IF app_tenant() IS NOT NULL THEN
        RAISE EXCEPTION 'sign-in is counted outside any organisation' USING ERRCODE = '42501';
    END IF;
    v_account := auth_throttle_count('account:' || v_email, p_account_limit, p_window_s,
                                     p_lock_s, p_max_lock_s);
    IF v_account > 0 THEN
        SELECT * INTO v_user FROM users WHERE email = v_email;
        INSERT INTO audit_log (tenant_id, actor_id, actor_label, action, entity, entity_id,
                               summary, seq, prev_hash, hash)
        VALUES (v_user.tenant_id, v_user.id, 'sign-in throttle', 'auth.locked', 'user',
                left(coalesce(v_user.id::text, v_email), 80),
                format('sign-in locked for %s s after %s failed attempts', v_account,
                       p_account_limit), 0, '', '');
    END IF;
    IF p_address IS NOT NULL AND p_address <> '' THEN
        v_address := auth_throttle_count('address:' || left(p_address, 200), p_address_limit,
                                         p_window_s, p_lock_s, p_max_lock_s);
        IF v_address > 0 THEN
            INSERT INTO audit_log (tenant_id, actor_id, actor_label, action, entity, entity_id,
                                   summary, seq, prev_hash, hash)
            VALUES (NULL, NULL, 'sign-in throttle', 'auth.locked', 'address',
                    left(p_address, 80),
                    format('sign-in from this address locked for %s s after %s failed attempts',
                           v_address, p_address_limit), 0, '', '');
        END IF;
    END IF;
    IF random() < 0.01 THEN  -- forget keys quiet for two days
        DELETE FROM login_throttle WHERE window_started_at < now() - interval '2 days'
           AND (locked_until IS NULL OR locked_until < now() - interval '1 day');
    END IF;
    RETURN greatest(v_account, v_address);
END
$$;

-- A correct password clears the account's count (never the address's, which an attacker
-- holding one account could otherwise reset).
CREATE FUNCTION auth_login_succeeded(p_email text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ DELETE FROM login_throttle WHERE key = 'account:' || lower(p_email)
      AND (locked_until IS NULL OR locked_until < now()) $$;

-- Login reads a password hash, so it runs outside any organisation's transaction.
CREATE OR REPLACE FUNCTION auth_login_lookup(p_email text) RETURNS TABLE (
    user_id uuid, tenant_id uuid, tenant_kind text, password_hash text, roles text[],
    is_active boolean, full_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.id, u.tenant_id, t.kind::text, u.password_hash, u.roles, u.is_active, u.full_name::text
     FROM users u JOIN tenant t ON t.id = u.tenant_id
    WHERE u.email = lower(p_email) AND app_tenant() IS NULL $$;

-- Whether an e-mail is taken, for an organisation creating an account.
CREATE FUNCTION auth_email_taken(p_email text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT app_tenant() IS NOT NULL
          AND EXISTS (SELECT 1 FROM users WHERE email = lower(p_email)) $$;

-- Bearer tokens: whether the account is active and which generation of tokens is current.
CREATE FUNCTION auth_token_state(p_user uuid) RETURNS TABLE (is_active boolean, generation integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.is_active, u.token_generation FROM users u
    WHERE u.id = p_user AND u.tenant_id = app_tenant() $$;

-- The caller may manage `p_user`: the platform, or an active admin of the user's organisation.
CREATE FUNCTION identity_may_manage(p_user uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT app_is_platform() OR EXISTS (
     SELECT 1 FROM users c JOIN users u ON u.tenant_id = c.tenant_id
      WHERE c.id = app_user() AND u.id = p_user AND c.tenant_id = app_tenant()
        AND c.is_active AND c.roles && ARRAY['buyer_admin', 'oem_admin']::text[]) $$;

CREATE FUNCTION identity_refuse() RETURNS void LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'only the account itself or an admin of its organisation may do that'
       USING ERRCODE = '42501'; END $$;

-- Ends every bearer token and browser session of `p_user` (sign-out, or an admin's doing).
CREATE FUNCTION identity_end_credentials(p_user uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF p_user IS DISTINCT FROM app_user() AND NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    UPDATE users SET token_generation = token_generation + 1 WHERE id = p_user;
    UPDATE user_session SET revoked_at = now() WHERE user_id = p_user AND revoked_at IS NULL;
END
$$;

CREATE FUNCTION identity_set_active(p_user uuid, p_active boolean) RETURNS boolean
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

CREATE FUNCTION identity_set_roles(p_user uuid, p_roles text[]) RETURNS void
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

CREATE FUNCTION identity_set_password(p_user uuid, p_hash text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF p_user IS DISTINCT FROM app_user() AND NOT identity_may_manage(p_user) THEN
        PERFORM identity_refuse();
    END IF;
    IF p_hash !~ '^\\$argon2id\\$' THEN
        RAISE EXCEPTION 'a password is stored as an argon2id hash' USING ERRCODE = '22023';
    END IF;
    UPDATE users SET password_hash = p_hash, token_generation = token_generation + 1
     WHERE id = p_user;
    UPDATE user_session SET revoked_at = now() WHERE user_id = p_user AND revoked_at IS NULL;
END
$$;

-- Caller checks for definer functions that had none.
CREATE OR REPLACE FUNCTION app_facility_owner(p_facility uuid) RETURNS uuid LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT tenant_id FROM healthcare_facilities WHERE id = p_facility AND app_tenant() IS NOT NULL $$;

CREATE OR REPLACE FUNCTION sla_policy_for(p_provider uuid, p_tier text) RETURNS SETOF sla_policy
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT * FROM sla_policy WHERE tenant_id = p_provider AND tier = p_tier
      AND app_tenant() IS NOT NULL $$;

-- Only the platform's own accounts hold the platform admin role, however a row is written.
CREATE FUNCTION users_roles_fit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS
$$
BEGIN
    IF 'platform_admin' = ANY(NEW.roles)
       AND (SELECT kind FROM tenant WHERE id = NEW.tenant_id) <> 'platform' THEN
        RAISE EXCEPTION 'platform_admin is a role of the platform''s own accounts'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_roles_fit BEFORE INSERT OR UPDATE OF roles, tenant_id ON users
    FOR EACH ROW EXECUTE FUNCTION users_roles_fit();

-- A member of an organisation sees and writes their own sessions only.
CREATE POLICY user_session_self ON user_session AS RESTRICTIVE TO {role}
    USING (user_id = app_user()) WITH CHECK (user_id = app_user());
"""

GRANTS = """
REVOKE INSERT, UPDATE, DELETE ON users FROM {role};
GRANT INSERT (id, tenant_id, email, full_name, roles, password_hash, oidc_subject,
              is_service_account, is_active, created_at, last_login_at) ON users TO {role};
GRANT UPDATE (full_name, last_login_at) ON users TO {role};
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role};
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {role};
"""

DOWNGRADE = """
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM {role};
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC;
REVOKE INSERT, UPDATE ON users FROM {role};
GRANT INSERT, UPDATE, DELETE ON users TO {role};
DROP POLICY IF EXISTS user_session_self ON user_session;
CREATE OR REPLACE FUNCTION sla_policy_for(p_provider uuid, p_tier text) RETURNS SETOF sla_policy
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT * FROM sla_policy WHERE tenant_id = p_provider AND tier = p_tier $$;
CREATE OR REPLACE FUNCTION app_facility_owner(p_facility uuid) RETURNS uuid LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT tenant_id FROM healthcare_facilities WHERE id = p_facility $$;
CREATE OR REPLACE FUNCTION auth_login_lookup(p_email text) RETURNS TABLE (
    user_id uuid, tenant_id uuid, tenant_kind text, password_hash text, roles text[],
    is_active boolean, full_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT u.id, u.tenant_id, t.kind::text, u.password_hash, u.roles, u.is_active, u.full_name::text
     FROM users u JOIN tenant t ON t.id = u.tenant_id
    WHERE u.email = lower(p_email) $$;
DROP TRIGGER IF EXISTS users_roles_fit ON users;
DROP FUNCTION IF EXISTS users_roles_fit();
DROP FUNCTION IF EXISTS identity_set_password(uuid, text);
DROP FUNCTION IF EXISTS identity_set_roles(uuid, text[]);
DROP FUNCTION IF EXISTS identity_set_active(uuid, boolean);
DROP FUNCTION IF EXISTS identity_end_credentials(uuid);
DROP FUNCTION IF EXISTS identity_refuse();
DROP FUNCTION IF EXISTS identity_may_manage(uuid);
DROP FUNCTION IF EXISTS auth_token_state(uuid);
DROP FUNCTION IF EXISTS auth_email_taken(text);
DROP FUNCTION IF EXISTS auth_login_succeeded(text);
DROP FUNCTION IF EXISTS auth_login_failed(text, text, integer, integer, integer, integer, integer);
DROP FUNCTION IF EXISTS auth_throttle_count(text, integer, integer, integer, integer);
DROP FUNCTION IF EXISTS auth_throttle_wait(text, text);
DROP FUNCTION IF EXISTS app_user();
DROP TABLE IF EXISTS login_throttle;
ALTER TABLE users DROP COLUMN IF EXISTS token_generation;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(UPGRADE.replace("{role}", role))
    op.execute(GRANTS.replace("{role}", role))


def downgrade() -> None:
    op.execute(DOWNGRADE.replace("{role}", get_settings().app_db_role))
