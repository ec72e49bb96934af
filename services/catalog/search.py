"""Catalog search as buyers use it: words, codes, synonyms and typos, facets, pages with
cursors.

The query is read into parts (services/catalog/query.py): figures with units ("1.5
tesla"), words of the trade with their synonyms ("magnetic resonance" is MRI) and plain
words as prefixes with their spelling corrections. A SKU matches when its code is the
query, or when its text (code, name, category, attributes, specifications, description;
full text, 'simple' configuration) meets any part. Matches are ranked by how many parts
they meet (all of them first, then fewer: a word that matches nothing never empties the
result), then code match, then full-text rank (code and name weigh most); ties by name
and id, so the order is total and cursors are stable. Without a query the catalog is
browsed by category, then name.

Facets count the matches per category, risk class, OEM, price band and, where it
matters, the category's key specification (field strength for MRIs). Each facet counts
with the other facets' selections applied but not its own (ticking "MRI" still shows how
many CT scanners there are), so a buyer can widen as well as narrow. All of it, the page
and the totals come from one statement over the matched rows. An empty result says what
would help: the words nearest to those that match nothing, and how many SKUs the words
find without the filters.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.catalog import facets as facet_lists
from services.catalog.filters import Filters
from services.catalog.models import Sku
from services.catalog.query import ParsedQuery, nearest_words, parse_query
from services.catalog.service import sku_json
from services.catalog.statement import filter_params, spec_categories, statement
from services.errors import Invalid
from services.tenancy.service import directory

MAX_FIRST = 100
MAX_QUERY = 200


@dataclass
class SearchPage:
    items: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]
    total: int
    end_cursor: str | None
    has_next_page: bool
    full_matches: int = 0
    spec_facets: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    suggestion: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "facets": self.facets,
            "specFacets": self.spec_facets,
            "total": self.total,
            "fullMatches": self.full_matches,
            "unmatchedWords": self.unmatched,
            "suggestion": self.suggestion,
            "pageInfo": {"endCursor": self.end_cursor, "hasNextPage": self.has_next_page},
        }


def _search_key(q: str, filters: Filters) -> str:
    """A short fingerprint of what was searched, carried in cursors."""
    raw = json.dumps(
        [
            q,
            filters.categories,
            filters.risk_classes,
            [str(i) for i in filters.oem_ids],
            filters.price_bands,
            filters.specs,
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


def _with_specs(filters: Filters, browsing: bool) -> bool:
    """Whether the statement groups by specifications: always for a query (the matches are
    grouped anyway); when browsing, only for a ticked figure or a category that has one."""
    return not browsing or bool(spec_categories(filters))


def _run(
    db: Session, q: str, parsed: ParsedQuery | None, filters: Filters, first: int, after_key
) -> Any:
    browsing = parsed is None
    with_specs = _with_specs(filters, browsing)
    sql = statement(filters, browsing, with_specs, after_key)
    params: dict[str, Any] = filter_params(filters) | {"limit": first + 1}
    params["sig_cats"] = spec_categories(filters)
    if parsed is not None:
        params |= {
            "tsq": parsed.any_part,
            "parts": [p.tsquery() for p in parsed.parts],
            "nparts": len(parsed.parts),
            "code": q.upper(),
        }
    if after_key is not None:
        params |= {f"k{i}": v for i, v in enumerate(after_key)}
    return db.execute(text(sql), params).one()


def _suggestion(
    db: Session, q: str, parsed: ParsedQuery | None, filters: Filters, total: int
) -> dict[str, Any]:
    """What would help when nothing matches: nearer words, or the same words unfiltered."""
    out: dict[str, Any] = {}
    if parsed is not None and parsed.unmatched:
        near = nearest_words(db, parsed.unmatched)
        if near:
            words = [near.get(w, w) for w in q.lower().split()]
            out["didYouMean"] = " ".join(words)
    if total == 0 and filters.any:
        out["withoutFilters"] = _run(db, q, parsed, Filters(), 1, None).total
    return out


def search_skus(
    db: Session,
    q: str | None = None,
    filters: Filters | None = None,
    first: int = 20,
    after: str | None = None,
) -> SearchPage:
    """A page of active SKUs matching `q` and `filters`, those meeting every part of the
    query first (by category and name without a query), with facet counts (specification
    facets where they matter), the number of matches and of full matches, the words that
    match nothing and, for an empty result, a suggestion. `after` is the `end_cursor` of
    the previous page of the same search. Raises Invalid naming the parameter (q, first,
    after, riskClass, priceBand, spec)."""
    q = " ".join((q or "").split())
    if len(q) > MAX_QUERY:
        raise Invalid("q", f"is longer than {MAX_QUERY} characters")
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= MAX_FIRST:
        raise Invalid("first", f"must be a whole number from 1 to {MAX_FIRST}")
    filters = (filters or Filters()).checked()
    browsing = not re.search(r"\w", q)
    key = _search_key(q, filters)
    after_key = decode_cursor(after, key, browsing) if after else None
    parsed = None if browsing else parse_query(db, q)
    row = _run(db, q, parsed, filters, first, after_key)
    page, more = row.page[:first], len(row.page) > first
    names = directory(db)
    items = _items(db, [uuid.UUID(p[0]) for p in page], names)
    for item, p in zip(items, page, strict=True):
        item["score"] = round(p[1], 4)
    end = None
    if page:
        last = page[-1]
        end = encode_cursor([last[2] if browsing else -last[1], last[3], last[0]], key)
    selected = {
        "category": filters.categories,
        "riskClass": filters.risk_classes,
        "oem": tuple(str(i) for i in filters.oem_ids),
        "priceBand": filters.price_bands,
    }
    lists = facet_lists.facet_lists(row.facets, selected, names)
    keys = facet_lists.wanted_spec_keys(
        lists["category"], filters.categories, row.total, row.full_matches
    )
    specs = facet_lists.spec_facets(row.spec_facets, keys, dict(filters.specs))
    return SearchPage(
        items,
        lists,
        row.total,
        end,
        more,
        full_matches=row.full_matches,
        spec_facets=specs,
        unmatched=parsed.unmatched if parsed else [],
        suggestion=_suggestion(db, q, parsed, filters, row.total) if not after else {},
    )


def _items(db: Session, ids: list[uuid.UUID], names: dict) -> list[dict[str, Any]]:
    """The SKUs of `ids` in that order, in their public shape."""
    if not ids:
        return []
    found = {s.id: s for s in db.exec(select(Sku).where(Sku.id.in_(ids)))}
    return [sku_json(found[i], names.get(found[i].tenant_id, ("", ""))[0]) for i in ids]
