"""Specifications of catalog items, searched with their units, and matches ranked by how
many of a query's words they meet.

- `sku.specs` holds a SKU's structured specifications as figures in fixed units
  (`{"fieldStrengthT": 1.5, "rfChannels": 32}`), checked by services/catalog/specs.py.
- `sku_spec_text(specs)` writes them as words with their unit ("1.5 T", "128 slice"), and
  the generated `search` column now carries that text (weight B), so a MRI that states its
  field strength only as a figure is still found by "1.5 T".
- `sku_matches(query, parts)` is `sku_text_matches` for a query whose words are
  alternatives: it returns every active SKU meeting any of them, with how many of the
  `parts` (one per word of the buyer's query, synonyms included) it meets and its specs,
  so search ranks all-words matches first and counts spec facets. SECURITY DEFINER for
  the reason migration 0008 gives (text-search operators under row-level security cannot
  use the index); it applies the marketplace's read rule itself.

Revision ID: 0014_catalog_specs
Revises: 0013_negotiation_award
Create Date: 2026-12-01
"""

from alembic import op

from services.settings import get_settings

revision = "0014_catalog_specs"
down_revision = "0013_negotiation_award"
branch_labels = None
depends_on = None

_SEARCH_0008 = """
    setweight(to_tsvector('simple'::regconfig, coalesce(code, '') || ' ' || coalesce(name, '')),
              'A')
    || setweight(to_tsvector('simple'::regconfig, coalesce(category, '')), 'B')
    || setweight(jsonb_to_tsvector('simple'::regconfig, coalesce(attrs, '{}'::jsonb),
                                   '["string", "numeric"]'), 'B')
    || setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')"""

_SEARCH_0014 = (
    _SEARCH_0008
    + """
    || setweight(to_tsvector('simple'::regconfig, sku_spec_text(specs)), 'B')"""
)

UPGRADE = f"""
ALTER TABLE sku ADD COLUMN specs JSONB NOT NULL DEFAULT '{{}}'::jsonb
    CHECK (jsonb_typeof(specs) = 'object');

CREATE FUNCTION sku_spec_text(specs jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(string_agg(e.value || ' ' || u.unit, ' ' ORDER BY e.key), '')
     FROM jsonb_each_text(coalesce(specs, '{{}}'::jsonb)) e
     JOIN (VALUES ('fieldStrengthT', 'T'), ('rfChannels', 'channel'), ('slices', 'slice'),
                  ('gantryBoreCm', 'cm'), ('channels', 'channel'), ('parameters', 'parameter'),
                  ('screenInch', 'inch'), ('probes', 'probe'), ('powerKw', 'kW'),
                  ('flowLpm', 'L/min'), ('testsPerHour', 'tests/h')) AS u(key, unit)
       ON u.key = e.key $$;

DROP INDEX sku_search_gin;
ALTER TABLE sku DROP COLUMN search;
ALTER TABLE sku ADD COLUMN search tsvector GENERATED ALWAYS AS ({_SEARCH_0014}) STORED;
CREATE INDEX sku_search_gin ON sku USING gin (search);

INSERT INTO sku_word (word)
VALUES ('channel'), ('slice'), ('parameter'), ('inch'), ('probe'), ('tests'), ('min')
ON CONFLICT DO NOTHING;

CREATE FUNCTION sku_matches(query tsquery, parts tsquery[])
RETURNS TABLE (id uuid, rank real, matched integer, name varchar, category varchar,
               imdr_class varchar, oem_id uuid, price_band text, specs jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT s.id, ts_rank(s.search, query),
          (SELECT count(*)::integer FROM unnest(parts) AS p(q) WHERE s.search @@ p.q),
          s.name, s.category, s.imdr_class, s.tenant_id, sku_price_band(s.list_price_paise),
          s.specs
     FROM sku s
    WHERE app_tenant() IS NOT NULL AND s.is_active AND s.search @@ query $$;
"""

DOWNGRADE = f"""
DROP FUNCTION IF EXISTS sku_matches(tsquery, tsquery[]);
DROP INDEX IF EXISTS sku_search_gin;
ALTER TABLE sku DROP COLUMN IF EXISTS search;
ALTER TABLE sku ADD COLUMN search tsvector GENERATED ALWAYS AS ({_SEARCH_0008}) STORED;
CREATE INDEX sku_search_gin ON sku USING gin (search);
ALTER TABLE sku DROP COLUMN IF EXISTS specs;
DROP FUNCTION IF EXISTS sku_spec_text(jsonb);
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    role = get_settings().app_db_role
    op.execute(
        f"GRANT EXECUTE ON FUNCTION sku_matches(tsquery, tsquery[]), sku_spec_text(jsonb) TO {role}"
    )


def downgrade() -> None:
    op.execute(DOWNGRADE)
