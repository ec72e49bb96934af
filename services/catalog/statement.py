"""The one SQL statement of a catalog search: the page's sort keys, the facet counts
(specification facets included), the number of matches and of those meeting every part
of the query.

Matches come from `sku_matches` (migration 0014), which returns each matching SKU with how
many of the query's parts it meets. Browsing without a query reads the counts the
database keeps (`sku_facet_count`, migration 0008), except where a specification facet is
wanted: then it groups the active SKUs themselves, since the kept counts have no specs.
"""

from __future__ import annotations

from typing import Any

from services.catalog.filters import Filters
from services.catalog.models import PRICE_BANDS
from services.catalog.specs import FACET_KEYS, FACET_SPECS


def _signature(specs: str, category: str = "") -> str:
    """The facet specifications of a row as a small JSON object, nulls left out (empty for
    a row of `category` that has no specification facet)."""
    pairs = ", ".join(f"'{key}', {specs}->'{key}'" for key in FACET_KEYS)
    built = f"jsonb_strip_nulls(jsonb_build_object({pairs}))"
    if not category:
        return built
    names = ", ".join(f"'{c}'" for c in FACET_SPECS)
    return f"CASE WHEN {category} IN ({names}) THEN {built} ELSE '{{}}'::jsonb END"


def _band_condition(column: str, bands: tuple[str, ...]) -> str:
    """Price bands as ranges of `column` (plain comparisons, which indexes serve)."""
    ranges = []
    for key, _label, low, high in PRICE_BANDS:
        if key in bands:
            ranges.append(f"({column} >= {low}" + (f" AND {column} < {high})" if high else ")"))
    return "(" + " OR ".join(ranges) + ")"


def _spec_condition(filters: Filters, specs: str) -> str:
    """Every specification selection met by the row whose specs are `specs`."""
    return " AND ".join(
        f"coalesce({specs}->>'{key}', '') = ANY(CAST(:spec{i} AS text[]))"
        for i, (key, _values) in enumerate(filters.specs)
    )


def _flags(filters: Filters, cat: str, risk: str, oem: str, band: str, specs: str) -> dict:
    """SQL conditions of each facet's selection ('true' when nothing is selected)."""
    return {
        "ok_cat": f"{cat} = ANY(CAST(:cats AS text[]))" if filters.categories else "true",
        "ok_risk": f"{risk} = ANY(CAST(:risks AS text[]))" if filters.risk_classes else "true",
        "ok_oem": f"{oem} = ANY(CAST(:oems AS uuid[]))" if filters.oem_ids else "true",
        "ok_band": band if filters.price_bands else "true",
        "ok_spec": _spec_condition(filters, specs) if filters.specs else "true",
    }


def _spec_misses(filters: Filters) -> str:
    """The selected specifications a grouped row does not meet, as a text array."""
    if not filters.specs:
        return "CAST('{}' AS text[])"
    cases = ", ".join(
        f"CASE WHEN coalesce(sig->>'{key}', '') = ANY(CAST(:spec{i} AS text[])) "
        f"THEN NULL ELSE '{key}' END"
        for i, (key, _values) in enumerate(filters.specs)
    )
    return f"array_remove(ARRAY[{cases}]::text[], NULL)"


def filter_params(filters: Filters) -> dict[str, Any]:
    return {
        "cats": list(filters.categories),
        "risks": list(filters.risk_classes),
        "oems": list(filters.oem_ids),
        "bands": list(filters.price_bands),
    } | {f"spec{i}": list(values) for i, (_key, values) in enumerate(filters.specs)}


_OTHERS = "ok_cat AND ok_risk AND ok_oem AND ok_band AND ok_spec"
_FACETS = """
SELECT coalesce(json_agg(x), '[]') FROM (
    SELECT GROUPING(category) = 0 AS by_cat, GROUPING(imdr_class) = 0 AS by_risk,
           GROUPING(oem_id) = 0 AS by_oem, category, imdr_class, oem_id, band,
           sum(n) FILTER (WHERE ok_risk AND ok_oem AND ok_band AND ok_spec) AS n_cat,
           sum(n) FILTER (WHERE ok_cat AND ok_oem AND ok_band AND ok_spec) AS n_risk,
           sum(n) FILTER (WHERE ok_cat AND ok_risk AND ok_band AND ok_spec) AS n_oem,
           sum(n) FILTER (WHERE ok_cat AND ok_risk AND ok_oem AND ok_spec) AS n_band,
           sum(n) FILTER (WHERE ok_risk AND ok_oem AND ok_band AND ok_spec AND full_match)
           AS n_full
      FROM f GROUP BY GROUPING SETS ((category), (imdr_class), (oem_id), (band))) x
"""
_SPEC_FACETS = """
SELECT coalesce(json_agg(x), '[]') FROM (
    SELECT e.key, e.value,
           sum(f.n) FILTER (WHERE ok_cat AND ok_risk AND ok_oem AND ok_band
                            AND f.misses <@ ARRAY[e.key]) AS n
      FROM f, jsonb_each_text(f.sig) e GROUP BY 1, 2) x
"""

# Matches with their score: 100 per part met, twice the text rank (code and name weigh
# most), 10,000 for the SKU whose code is the query.
_MATCHES = """
t AS MATERIALIZED (
    SELECT * FROM sku_matches(to_tsquery('simple', :tsq),
        ARRAY(SELECT to_tsquery('simple', p) FROM unnest(CAST(:parts AS text[])) AS p))),
exact AS MATERIALIZED (
    SELECT s.id, s.name, s.category, s.imdr_class, s.tenant_id AS oem_id,
           sku_price_band(s.list_price_paise) AS band, {sku_sig} AS sig
      FROM sku s WHERE s.code = :code AND s.is_active),
m AS MATERIALIZED (
    SELECT t.id, t.name, t.category, t.imdr_class, t.oem_id, t.price_band AS band,
           {t_sig} AS sig, t.matched,
           (100 * t.matched + 2 * t.rank
            + CASE WHEN t.id IN (SELECT id FROM exact) THEN 10000 ELSE 0 END)::float8 AS score
      FROM t
    UNION ALL
    SELECT e.*, CAST(:nparts AS integer), (10000 + 100 * CAST(:nparts AS integer))::float8
      FROM exact e
     WHERE e.id NOT IN (SELECT id FROM t)),
g AS (SELECT category, imdr_class, oem_id, band, sig, matched = :nparts AS full_match,
             count(*) AS n FROM m GROUP BY 1, 2, 3, 4, 5, 6)"""

# Without a query: counts kept by the database, the page straight from the browse index.
_BROWSE = """
g AS (SELECT category, imdr_class, oem_id, price_band AS band, '{}'::jsonb AS sig,
             true AS full_match, active_skus AS n
        FROM sku_facet_count WHERE active_skus > 0)"""
_BROWSE_SPECS = """
g AS (SELECT category, imdr_class, oem_id, price_band AS band, '{{}}'::jsonb AS sig,
             true AS full_match, active_skus AS n
        FROM sku_facet_count
       WHERE active_skus > 0 AND category <> ALL(CAST(:sig_cats AS text[]))
      UNION ALL
      SELECT category, imdr_class, tenant_id, sku_price_band(list_price_paise), {sku_sig},
             true, count(*)
        FROM sku WHERE is_active AND category = ANY(CAST(:sig_cats AS text[]))
       GROUP BY 1, 2, 3, 4, 5)"""


def spec_categories(filters: Filters) -> list[str]:
    """The categories whose SKUs are grouped by their figures when browsing: those chosen
    that have a specification facet, and those whose figure is ticked."""
    keys = {key for key, _values in filters.specs}
    chosen = [c for c in filters.categories if c in FACET_SPECS]
    return sorted({*chosen, *(c for c, key in FACET_SPECS.items() if key in keys)})


def _source(filters: Filters, browsing: bool, with_specs: bool) -> tuple[str, str, dict]:
    """The CTEs giving `g`, the page's alias, and the page's filter conditions."""
    if browsing:
        source = _BROWSE_SPECS.format(sku_sig=_signature("specs")) if with_specs else _BROWSE
        flags = _flags(
            filters,
            "s.category",
            "s.imdr_class",
            "s.tenant_id",
            _band_condition("s.list_price_paise", filters.price_bands),
            "s.specs",
        )
        return source, "s", flags
    flags = _flags(
        filters,
        "m.category",
        "m.imdr_class",
        "m.oem_id",
        "m.band = ANY(CAST(:bands AS text[]))",
        "m.sig",
    )
    source = _MATCHES.format(
        sku_sig=_signature("s.specs"), t_sig=_signature("t.specs", "t.category")
    )
    return source, "m", flags


def statement(
    filters: Filters, browsing: bool, with_specs: bool, after_key: list[Any] | None
) -> str:
    """The statement; its parameters are :tsq, :parts, :nparts and :code (searching),
    :k0..:k2 (after a cursor), :limit and filter_params(filters)."""
    group_flags = _flags(
        filters, "category", "imdr_class", "oem_id", "band = ANY(CAST(:bands AS text[]))", "sig"
    )
    source, alias, page_flags = _source(filters, browsing, with_specs)
    if browsing:
        sort, order = "(s.category, s.name, s.id)", "s.category, s.name, s.id"
        key_types, score = ("text", "text", "uuid"), "0::float8"
        page_from = "sku s WHERE s.is_active"
    else:
        sort, order = "(-m.score, m.name, m.id)", "m.score DESC, m.name, m.id"
        key_types, score = ("float8", "text", "uuid"), "m.score"
        page_from = "m WHERE true"
    keyset = "true"
    if after_key is not None:
        keyset = f"{sort} > ({', '.join(f'CAST(:k{i} AS {t})' for i, t in enumerate(key_types))})"
    flags = ", ".join(f"{sql} AS {name}" for name, sql in group_flags.items())
    page_where = " AND ".join(page_flags.values())
    return f"""
WITH {source}, f AS (SELECT g.*, {flags}, {_spec_misses(filters)} AS misses FROM g)
SELECT
  (SELECT coalesce(json_agg(json_build_array(p.id, p.score, p.category, p.name)), '[]') FROM (
       SELECT {alias}.id, {score} AS score, {alias}.category, {alias}.name FROM {page_from}
          AND {page_where} AND {keyset}
        ORDER BY {order} LIMIT :limit) p) AS page,
  ({_FACETS}) AS facets,
  ({_SPEC_FACETS if with_specs else "SELECT '[]'::json"}) AS spec_facets,
  (SELECT coalesce(sum(n), 0)::bigint FROM f WHERE {_OTHERS}) AS total,
  (SELECT coalesce(sum(n), 0)::bigint FROM f WHERE {_OTHERS} AND full_match) AS full_matches
"""
