"""Catalog search: description, datasheet, a searchable text for every SKU, the catalog's
vocabulary for typo tolerance and live facet counts.

- `search` is a stored generated tsvector with the 'simple' configuration: product codes
  and model names ("MVI-MR15", "Aurora 1.5T") are not words of any language, and stemming
  them would merge distinct models. Code and name weigh A; category and the attribute
  values B; the description C. `unaccent` is left out: it is not IMMUTABLE, so a
  generated column cannot use it.
- Typos are corrected against `sku_word`, the catalog's vocabulary (every alphabetic
  word of every SKU's text), with a trigram index: "ventilater" becomes "ventilator"
  after one look-up among a few thousand words, and the search itself stays one GIN
  look-up. Testing trigram similarity against every SKU's name instead costs a
  comparison per matching row and, under row-level security, cannot use an index at all.
- Text-search and trigram operators are not leakproof, so PostgreSQL evaluates them
  after a table's row-level security checks, row by row, and never through an index.
  `sku_text_matches` therefore runs as the owner (SECURITY DEFINER) and applies the
  catalog's read rule itself: a signed-in organisation sees every active SKU, which is
  what the policy `sku_marketplace` grants. A SELECT policy for the owner lets it do so
  even where the owner is not a superuser. Writes stay with the OEM (policy `sku_tenant`).
- `sku_facet_count` keeps the number of active SKUs per category, risk class, OEM and
  price band, maintained by statement triggers, so browsing facets over the whole
  catalog read a few hundred rows instead of counting every SKU.
- B-tree indexes serve the facet filters and browsing by category and name.
- `updated_at` is touched by a trigger, so bulk imports keep it right too.

Revision ID: 0008_catalog_search
Revises: 0007_technicians_parts
Create Date: 2026-11-25
"""

from alembic import op

from services.settings import get_settings

revision = "0008_catalog_search"
down_revision = "0007_technicians_parts"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE sku
    ADD COLUMN description TEXT DEFAULT '' NOT NULL,
    ADD COLUMN datasheet_url TEXT,
    ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    ADD CONSTRAINT sku_datasheet_url_check
        CHECK (datasheet_url IS NULL OR datasheet_url ~ '^https?://');

ALTER TABLE sku ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, coalesce(code, '') || ' ' || coalesce(name, '')),
              'A')
    || setweight(to_tsvector('simple'::regconfig, coalesce(category, '')), 'B')
    || setweight(jsonb_to_tsvector('simple'::regconfig, coalesce(attrs, '{}'::jsonb),
                                   '["string", "numeric"]'), 'B')
    || setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')
) STORED;

CREATE INDEX sku_search_gin ON sku USING gin (search);
CREATE INDEX sku_code ON sku (code);
CREATE INDEX sku_browse ON sku (category, name, id) WHERE is_active;
CREATE INDEX sku_imdr_class ON sku (imdr_class);
CREATE INDEX sku_list_price ON sku (list_price_paise);

CREATE FUNCTION sku_price_band(paise bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN paise < 10000000 THEN 'under_1l' WHEN paise < 100000000 THEN '1l_10l'
               WHEN paise < 1000000000 THEN '10l_1cr' ELSE 'over_1cr' END $$;

CREATE TABLE sku_word (word TEXT COLLATE "C" PRIMARY KEY);
CREATE INDEX sku_word_trgm ON sku_word USING gin (word gin_trgm_ops);

CREATE TABLE sku_facet_count (
    category VARCHAR(80) NOT NULL,
    imdr_class VARCHAR(1) NOT NULL,
    oem_id UUID NOT NULL REFERENCES tenant (id),
    price_band TEXT NOT NULL,
    active_skus INTEGER NOT NULL,
    PRIMARY KEY (category, imdr_class, oem_id, price_band)
);
ALTER TABLE sku_facet_count ENABLE ROW LEVEL SECURITY;
CREATE POLICY sku_facet_count_marketplace ON sku_facet_count FOR SELECT
    USING (app_tenant() IS NOT NULL);

CREATE FUNCTION sku_touch() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER sku_touch BEFORE UPDATE ON sku FOR EACH ROW EXECUTE FUNCTION sku_touch();

-- Words and facet counts follow every statement that writes SKUs.
CREATE FUNCTION sku_sync_catalog() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS
$$ BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sku_word (word)
        SELECT DISTINCT w.lexeme FROM new_rows n, unnest(n.search) w
         WHERE w.lexeme ~ '^[a-z]{3,40}$' ORDER BY 1
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO sku_facet_count AS c (category, imdr_class, oem_id, price_band, active_skus)
        SELECT category, imdr_class, tenant_id, sku_price_band(list_price_paise), count(*)
          FROM new_rows WHERE is_active GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (category, imdr_class, oem_id, price_band)
            DO UPDATE SET active_skus = c.active_skus + EXCLUDED.active_skus;
    ELSIF TG_OP = 'UPDATE' THEN
        WITH delta AS (
            SELECT category, imdr_class, tenant_id, list_price_paise, 1 AS n
              FROM new_rows WHERE is_active
            UNION ALL
            SELECT category, imdr_class, tenant_id, list_price_paise, -1
              FROM old_rows WHERE is_active)
        INSERT INTO sku_facet_count AS c (category, imdr_class, oem_id, price_band, active_skus)
        SELECT category, imdr_class, tenant_id, sku_price_band(list_price_paise), sum(n)
          FROM delta GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (category, imdr_class, oem_id, price_band)
            DO UPDATE SET active_skus = c.active_skus + EXCLUDED.active_skus;
    ELSE
        UPDATE sku_facet_count c SET active_skus = c.active_skus - d.n
          FROM (SELECT category, imdr_class, tenant_id, sku_price_band(list_price_paise) AS band,
                       count(*) AS n
                  FROM old_rows WHERE is_active GROUP BY 1, 2, 3, 4) d
         WHERE (c.category, c.imdr_class, c.oem_id, c.price_band)
               = (d.category, d.imdr_class, d.tenant_id, d.band);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sku_sync_insert AFTER INSERT ON sku REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sku_sync_catalog();
CREATE TRIGGER sku_sync_update AFTER UPDATE ON sku
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sku_sync_catalog();
CREATE TRIGGER sku_sync_delete AFTER DELETE ON sku REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sku_sync_catalog();

INSERT INTO sku_word (word)
SELECT DISTINCT w.lexeme FROM sku s, unnest(s.search) w WHERE w.lexeme ~ '^[a-z]{3,40}$'
ON CONFLICT DO NOTHING;
INSERT INTO sku_facet_count (category, imdr_class, oem_id, price_band, active_skus)
SELECT category, imdr_class, tenant_id, sku_price_band(list_price_paise), count(*)
  FROM sku WHERE is_active GROUP BY 1, 2, 3, 4;

CREATE POLICY sku_owner ON sku FOR SELECT TO CURRENT_USER USING (true);

-- Active SKUs whose text matches, for a signed-in organisation (the marketplace rule).
CREATE FUNCTION sku_text_matches(query tsquery)
RETURNS TABLE (id uuid, rank real, name varchar, category varchar, imdr_class varchar,
               oem_id uuid, price_band text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT s.id, ts_rank(s.search, query), s.name, s.category, s.imdr_class, s.tenant_id,
          sku_price_band(s.list_price_paise)
     FROM sku s
    WHERE app_tenant() IS NOT NULL AND s.is_active AND s.search @@ query $$;
"""

DOWNGRADE = """
DROP FUNCTION IF EXISTS sku_text_matches(tsquery);
DROP POLICY IF EXISTS sku_owner ON sku;
DROP TRIGGER IF EXISTS sku_sync_delete ON sku;
DROP TRIGGER IF EXISTS sku_sync_update ON sku;
DROP TRIGGER IF EXISTS sku_sync_insert ON sku;
DROP FUNCTION IF EXISTS sku_sync_catalog();
DROP TRIGGER IF EXISTS sku_touch ON sku;
DROP FUNCTION IF EXISTS sku_touch();
DROP TABLE IF EXISTS sku_facet_count;
DROP TABLE IF EXISTS sku_word;
DROP FUNCTION IF EXISTS sku_price_band(bigint);
DROP INDEX IF EXISTS sku_list_price;
DROP INDEX IF EXISTS sku_imdr_class;
DROP INDEX IF EXISTS sku_browse;
DROP INDEX IF EXISTS sku_code;
DROP INDEX IF EXISTS sku_search_gin;
ALTER TABLE sku DROP COLUMN IF EXISTS search,
    DROP CONSTRAINT IF EXISTS sku_datasheet_url_check,
    DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS datasheet_url,
    DROP COLUMN IF EXISTS description;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    role = get_settings().app_db_role
    op.execute(f"GRANT SELECT ON sku_word, sku_facet_count TO {role}")
    op.execute(
        f"GRANT EXECUTE ON FUNCTION sku_text_matches(tsquery), sku_price_band(bigint) TO {role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
