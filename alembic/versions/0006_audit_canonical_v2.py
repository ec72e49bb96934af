"""Audit entries hashed over a length-prefixed canonical form.

Version 1 joined the fields with '|', so moving a '|' from one field into the next gave
the same text and the same hash. Version 2 writes each field as `<length>:<value>;`,
which no arrangement of characters can imitate. Entries keep the version they were
written with, so the chain written before stays verifiable.

Revision ID: 0006_audit_canonical_v2
Revises: 0005_geo_directory
Create Date: 2026-11-25
"""

from alembic import op

revision = "0006_audit_canonical_v2"
down_revision = "0005_geo_directory"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE audit_log ADD COLUMN hash_version SMALLINT DEFAULT 1 NOT NULL;

CREATE FUNCTION audit_canonical_v2(a audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT string_agg(char_length(f)::text || ':' || f || ';', '' ORDER BY n)
     FROM unnest(ARRAY[a.seq::text, a.id::text, coalesce(a.tenant_id::text, ''),
                       coalesce(a.actor_id::text, ''), a.actor_label, a.action, a.entity,
                       a.entity_id, a.summary,
                       to_char(a.created_at AT TIME ZONE 'UTC',
                               'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       a.prev_hash]) WITH ORDINALITY AS t(f, n) $$;

CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS
$$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_log_chain'));
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.created_at := date_trunc('microseconds', clock_timestamp());
    NEW.hash_version := 2;
    NEW.hash := encode(sha256(convert_to(audit_canonical_v2(NEW), 'UTF8')), 'hex');
    RETURN NEW;
END
$$;
"""

DOWNGRADE = """
CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS
$$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_log_chain'));
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.created_at := date_trunc('microseconds', clock_timestamp());
    NEW.hash := encode(sha256(convert_to(audit_canonical(NEW), 'UTF8')), 'hex');
    RETURN NEW;
END
$$;
DROP FUNCTION IF EXISTS audit_canonical_v2(audit_log);
ALTER TABLE audit_log DROP COLUMN IF EXISTS hash_version;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
