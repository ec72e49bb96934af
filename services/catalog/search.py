"""Catalog search as buyers use it: words, codes and typos, facets, pages with cursors.

A SKU matches when its code is the query (it comes first), or when every word of the
query starts a word of its code, name, category, attribute values or description (full
text, 'simple' configuration: "venti" finds ventilators). A word that starts no word of
the catalog is taken to be misspelt and also matches the catalog's words closest to it
by trigram similarity ("ventilater", "ultrasond", "hematology"); the catalog's vocabulary
is a table of its own (see migration 0008), so this costs one small look-up.
Matches are ranked by code match, then full-text rank (code and name weigh most); ties
by name and id, so the order is total and cursors are stable. Without a query the
catalog is browsed by category, then name.

Facets count the matches per category, risk class, OEM and price band. Each facet counts
with the other facets' selections applied but not its own (ticking "MRI" still shows how
many CT scanners there are), so a buyer can widen as well as narrow. All of it, the page
and the total come from one statement over the matched rows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.catalog.models import PRICE_BANDS, RISK_CLASSES, Sku
from services.catalog.rules import check_category
from services.catalog.service import sku_json
from services.errors import Invalid
from services.tenancy.service import directory

MAX_FIRST = 100
MAX_QUERY = 200
_BAND_KEYS = tuple(key for key, *_ in PRICE_BANDS)
MAX_WORDS = 10
CLOSENESS = 0.45  # trigram similarity from which a catalog word counts as the one meant
_CORRECTABLE = re.compile(r"^[a-z]{4,40}$")


@dataclass(frozen=True)
class Filters:
    """Facet selections; several values of one facet mean any of them."""

    categories: tuple[str, ...] = ()
    risk_classes: tuple[str, ...] = ()
    oem_ids: tuple[uuid.UUID, ...] = ()
    price_bands: tuple[str, ...] = ()

    def checked(self) -> Filters:
        """The same filters, validated. Raises Invalid naming the parameter."""
        risks = tuple(sorted({r.strip().upper() for r in self.risk_classes if r.strip()}))
        if any(r not in RISK_CLASSES for r in risks):
            raise Invalid("riskClass", "must be A, B, C or D")
        bands = tuple(sorted({b.strip() for b in self.price_bands if b.strip()}))
        if any(b not in _BAND_KEYS for b in bands):
            raise Invalid("priceBand", f"must be one of {', '.join(_BAND_KEYS)}")
        cats = tuple(sorted({check_category(c) for c in self.categories if c.strip()}))
        return Filters(cats, risks, tuple(sorted(set(self.oem_ids), key=str)), bands)


@dataclass
class SearchPage:
    items: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]
    total: int
    end_cursor: str | None
    has_next_page: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "facets": self.facets,
            "total": self.total,
            "pageInfo": {"endCursor": self.end_cursor, "hasNextPage": self.has_next_page},
        }


def _expansion_sql() -> str:
    return """
SELECT w.word,
       EXISTS (SELECT 1 FROM sku_word v WHERE v.word >= (w.word COLLATE "C")
                                          AND v.word < ((w.word || '~') COLLATE "C")) AS known,
       ARRAY(SELECT v.word FROM sku_word v WHERE v.word % w.word
              AND similarity(v.word, w.word) >= :closeness
              ORDER BY similarity(v.word, w.word) DESC, v.word LIMIT 2) AS close
  FROM unnest(CAST(:words AS text[])) AS w(word)"""


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def text_query(db: Session, q: str) -> str:
    """The query as to_tsquery text: every word needed, each of two letters or more
    matching as a prefix ("venti" finds ventilators); a word that starts no word of the catalog also matches
    the catalog's words closest in spelling ("ventilater" → ventilator, "hematology" →
    haematology). PostgreSQL's parser then splits each word as it split the SKU texts
    ("MVI-MR15" into its parts)."""
    words = list(dict.fromkeys(q.lower().split()))[:MAX_WORDS]
    typed = [w for w in words if _CORRECTABLE.match(w)]
    close: dict[str, list[str]] = {}
    if typed:
        rows = db.execute(text(_expansion_sql()), {"words": typed, "closeness": CLOSENESS})
        close = {r.word: list(r.close) for r in rows if not r.known}
    terms = []
    for word in words:
        # One letter as a prefix would match half the catalog; it must be a whole word.
        typed_word = _quoted(word) + (":*" if len(word) > 1 else "")
        alternatives = [typed_word, *(_quoted(c) for c in close.get(word, []))]
        terms.append(
            alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"
        )
    return " & ".join(terms)


def _search_key(q: str, filters: Filters) -> str:
    """A short fingerprint of what was searched, carried in cursors."""
    raw = json.dumps(
        [
            q,
            filters.categories,
            filters.risk_classes,
            [str(i) for i in filters.oem_ids],
            filters.price_bands,
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def encode_cursor(key: list[Any], search_key: str) -> str:
    raw = json.dumps({"k": key, "s": search_key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(after: str, search_key: str, browsing: bool) -> list[Any]:
    """The sort key a cursor stands for. Raises Invalid('after') for a cursor that is
    malformed or was given by another search."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
        key, owner = raw["k"], raw["s"]
        first = str(key[0]) if browsing else float(key[0])
        key = [first, str(key[1]), str(uuid.UUID(str(key[2])))]
    except (ValueError, KeyError, IndexError, TypeError):
        raise Invalid("after", "is not a cursor this search gave") from None
    if owner != search_key:
        raise Invalid("after", "belongs to another search; start again without it")
    return key


def _band_condition(column: str, bands: tuple[str, ...]) -> str:
    """Price bands as ranges of `column` (plain comparisons, which indexes serve)."""
    ranges = []
    for key, _label, low, high in PRICE_BANDS:
        if key in bands:
            ranges.append(f"({column} >= {low}" + (f" AND {column} < {high})" if high else ")"))
    return "(" + " OR ".join(ranges) + ")"


def _flags(filters: Filters, cat: str, risk: str, oem: str, band: str) -> dict[str, str]:
    """SQL conditions of each facet's selection ('true' when nothing is selected)."""
    return {
        "ok_cat": f"{cat} = ANY(CAST(:cats AS text[]))" if filters.categories else "true",
        "ok_risk": f"{risk} = ANY(CAST(:risks AS text[]))" if filters.risk_classes else "true",
        "ok_oem": f"{oem} = ANY(CAST(:oems AS uuid[]))" if filters.oem_ids else "true",
        "ok_band": band if filters.price_bands else "true",
    }


def _filter_params(filters: Filters) -> dict[str, Any]:
    return {
        "cats": list(filters.categories),
        "risks": list(filters.risk_classes),
        "oems": list(filters.oem_ids),
        "bands": list(filters.price_bands),
    }


_FACETS = """
SELECT coalesce(json_agg(x), '[]') FROM (
    SELECT GROUPING(category) = 0 AS by_cat, GROUPING(imdr_class) = 0 AS by_risk,
           GROUPING(oem_id) = 0 AS by_oem, category, imdr_class, oem_id, band,
           sum(n) FILTER (WHERE ok_risk AND ok_oem AND ok_band) AS n_cat,
           sum(n) FILTER (WHERE ok_cat AND ok_oem AND ok_band) AS n_risk,
           sum(n) FILTER (WHERE ok_cat AND ok_risk AND ok_band) AS n_oem,
           sum(n) FILTER (WHERE ok_cat AND ok_risk AND ok_oem) AS n_band
      FROM f GROUP BY GROUPING SETS ((category), (imdr_class), (oem_id), (band))) x
"""

# Matches of a query with their score: twice the text rank (code and name weigh most),
# plus 100 for the SKU whose code is the query.
_MATCHES = """
t AS MATERIALIZED (SELECT * FROM sku_text_matches(to_tsquery('simple', :tsq))),
exact AS MATERIALIZED (
    SELECT s.id, s.name, s.category, s.imdr_class, s.tenant_id AS oem_id,
           sku_price_band(s.list_price_paise) AS band
      FROM sku s WHERE s.code = :code AND s.is_active),
m AS MATERIALIZED (
    SELECT t.id, t.name, t.category, t.imdr_class, t.oem_id, t.price_band AS band,
           (2 * t.rank + CASE WHEN t.id IN (SELECT id FROM exact) THEN 100 ELSE 0 END)::float8
           AS score
      FROM t
    UNION ALL
    SELECT e.*, 100::float8 FROM exact e WHERE e.id NOT IN (SELECT id FROM t)),
g AS (SELECT category, imdr_class, oem_id, band, count(*) AS n FROM m GROUP BY 1, 2, 3, 4)"""

# Without a query: counts kept by the database, the page straight from the browse index.
_BROWSE = """
g AS (SELECT category, imdr_class, oem_id, price_band AS band, active_skus AS n
        FROM sku_facet_count WHERE active_skus > 0)"""


def _statement(
    q: str, tsq: str, filters: Filters, browsing: bool, after_key: list[Any] | None
) -> tuple[str, dict]:
    """The one statement giving the page's sort keys, the facets and the total."""
    group_flags = _flags(
        filters, "category", "imdr_class", "oem_id", "band = ANY(CAST(:bands AS text[]))"
    )
    params: dict[str, Any] = {}
    if browsing:
        source, alias = _BROWSE, "s"
        page_flags = _flags(
            filters,
            "s.category",
            "s.imdr_class",
            "s.tenant_id",
            _band_condition("s.list_price_paise", filters.price_bands),
        )
        sort, order = "(s.category, s.name, s.id)", "s.category, s.name, s.id"
        key_types, score = ("text", "text", "uuid"), "0::float8"
        page_from = "sku s WHERE s.is_active"
    else:
        source, alias = _MATCHES, "m"
        page_flags = _flags(
            filters,
            "m.category",
            "m.imdr_class",
            "m.oem_id",
            "m.band = ANY(CAST(:bands AS text[]))",
        )
        sort, order = "(-m.score, m.name, m.id)", "m.score DESC, m.name, m.id"
        key_types, score = ("float8", "text", "uuid"), "m.score"
        page_from = "m WHERE true"
        params = {"tsq": tsq, "code": q.upper()}
    keyset = "true"
    if after_key is not None:
        keyset = f"{sort} > ({', '.join(f'CAST(:k{i} AS {t})' for i, t in enumerate(key_types))})"
        params |= {f"k{i}": v for i, v in enumerate(after_key)}
    flags = ", ".join(f"{sql} AS {name}" for name, sql in group_flags.items())
    page_where = " AND ".join(page_flags.values())
    sql = f"""
WITH {source}, f AS (SELECT g.*, {flags} FROM g)
SELECT
  (SELECT coalesce(json_agg(json_build_array(p.id, p.score, p.category, p.name)), '[]') FROM (
       SELECT {alias}.id, {score} AS score, {alias}.category, {alias}.name FROM {page_from}
          AND {page_where} AND {keyset}
        ORDER BY {order} LIMIT :limit) p) AS page,
  ({_FACETS}) AS facets,
  (SELECT coalesce(sum(n), 0)::bigint FROM f WHERE ok_cat AND ok_risk AND ok_oem AND ok_band) AS total
"""
    return sql, params


def _facets(
    rows: list[dict], filters: Filters, names: dict[uuid.UUID, tuple[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """Grouped counts as facet lists, largest first; a selected value stays listed (with
    its count, maybe 0) so it can be unticked."""
    out: dict[str, dict[str, dict[str, Any]]] = {
        "category": {},
        "riskClass": {},
        "oem": {},
        "priceBand": {},
    }
    labels = {key: label for key, label, *_ in PRICE_BANDS}
    for r in rows:
        if r["by_cat"]:
            facet, value, label, count = "category", r["category"], r["category"], r["n_cat"]
        elif r["by_risk"]:
            facet, value, count = "riskClass", r["imdr_class"], r["n_risk"]
            label = f"Class {value}"
        elif r["by_oem"]:
            facet, value, count = "oem", r["oem_id"], r["n_oem"]
            label = names.get(uuid.UUID(value), ("", ""))[0]
        else:
            facet, value, label, count = "priceBand", r["band"], labels[r["band"]], r["n_band"]
        if count:
            out[facet][value] = {"value": value, "label": label, "count": count}
    selected = {
        "category": filters.categories,
        "riskClass": filters.risk_classes,
        "oem": [str(i) for i in filters.oem_ids],
        "priceBand": filters.price_bands,
    }
    for facet, values in selected.items():
        for value in values:
            out[facet].setdefault(
                value, {"value": value, "label": _label(facet, value, labels, names), "count": 0}
            )
    return {facet: _ordered(facet, list(entries.values())) for facet, entries in out.items()}


def _label(facet: str, value: str, bands: dict[str, str], names: dict) -> str:
    if facet == "riskClass":
        return f"Class {value}"
    if facet == "priceBand":
        return bands[value]
    if facet == "oem":
        return names.get(uuid.UUID(value), ("", ""))[0]
    return value


def _ordered(facet: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Risk classes A→D and price bands low→high read best in their own order."""
    if facet == "riskClass":
        return sorted(entries, key=lambda e: e["value"])
    if facet == "priceBand":
        return sorted(entries, key=lambda e: _BAND_KEYS.index(e["value"]))
    return sorted(entries, key=lambda e: (-e["count"], e["label"]))


def search_skus(
    db: Session,
    q: str | None = None,
    filters: Filters | None = None,
    first: int = 20,
    after: str | None = None,
) -> SearchPage:
    """A page of active SKUs matching `q` and `filters`, best match first (by category and
    name without a query), with facet counts and the number of matches. `after` is the
    `end_cursor` of the previous page of the same search. Raises Invalid naming the
    parameter (q, first, after, riskClass, priceBand)."""
    q = " ".join((q or "").split())
    if len(q) > MAX_QUERY:
        raise Invalid("q", f"is longer than {MAX_QUERY} characters")
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= MAX_FIRST:
        raise Invalid("first", f"must be a whole number from 1 to {MAX_FIRST}")
    filters = (filters or Filters()).checked()
    browsing = not re.search(r"\w", q)
    key = _search_key(q, filters)
    after_key = decode_cursor(after, key, browsing) if after else None
    tsq = "" if browsing else text_query(db, q)
    sql, params = _statement(q, tsq, filters, browsing, after_key)
    row = db.execute(text(sql), params | _filter_params(filters) | {"limit": first + 1}).one()
    page, more = row.page[:first], len(row.page) > first
    names = directory(db)
    items = _items(db, [uuid.UUID(p[0]) for p in page], names)
    for item, p in zip(items, page, strict=True):
        item["score"] = round(p[1], 4)
    end = None
    if page:
        last = page[-1]
        end = encode_cursor([last[2] if browsing else -last[1], last[3], last[0]], key)
    return SearchPage(items, _facets(row.facets, filters, names), row.total, end, more)


def _items(db: Session, ids: list[uuid.UUID], names: dict) -> list[dict[str, Any]]:
    """The SKUs of `ids` in that order, in their public shape."""
    if not ids:
        return []
    found = {s.id: s for s in db.exec(select(Sku).where(Sku.id.in_(ids)))}
    return [sku_json(found[i], names.get(found[i].tenant_id, ("", ""))[0]) for i in ids]
