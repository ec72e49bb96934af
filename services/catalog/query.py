"""What a buyer typed, read as the parts of a text-search query.

Each part is one thing the buyer asked for, with every way the catalog may say it:
- a figure with its unit ("1.5 tesla", "1.5T", "1.5 t", "128-slice", "12 channel") in each
  spelling SKU texts use ("1.5 T", "1.5T");
- a word of the trade with its synonyms (services/catalog/vocab.py: "magnetic resonance"
  is MRI, "hematology" is haematology), longest phrase first;
- any other word as a prefix ("venti" finds ventilators), and, when it starts no word of
  the catalog, the catalog's words closest in spelling ("ventilater" → ventilator).
A SKU matches when it meets any part; search ranks it by how many parts it meets, so a
word that matches nothing never empties the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session

from services.catalog.vocab import SYNONYMS

MAX_WORDS = 10
CLOSENESS = 0.45  # trigram similarity from which a catalog word counts as the one meant
NEAR = 0.3  # from which a catalog word is worth suggesting ("did you mean")
_CORRECTABLE = re.compile(r"^[a-z]{4,40}$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
# unit as typed → the words SKU texts write after the figure
_UNITS = {
    "t": "t",
    "tesla": "t",
    "slice": "slice",
    "slices": "slice",
    "channel": "channel",
    "channels": "channel",
    "ch": "channel",
}
_FIGURE = re.compile(r"^(\d+(?:\.\d+)?)-?(t|tesla|slices?|channels?|ch)$")
_FORMS: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(form.split()): group for group in SYNONYMS for form in group
}
_LONGEST = max(len(form) for form in _FORMS)


@dataclass
class Part:
    """One thing asked for: as typed, and its alternatives as tsquery text."""

    typed: str
    alternatives: list[str]
    is_word: bool = False  # a plain word: spelling may be corrected

    def tsquery(self) -> str:
        if len(self.alternatives) == 1:
            return self.alternatives[0]
        return "(" + " | ".join(self.alternatives) + ")"


@dataclass
class ParsedQuery:
    parts: list[Part]
    unmatched: list[str] = field(default_factory=list)  # words the catalog has nothing like

    @property
    def any_part(self) -> str:
        return " | ".join(p.tsquery() for p in self.parts)


def quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _phrase(form: tuple[str, ...], prefix: bool = False) -> str:
    words = [quoted(w) for w in form]
    if prefix and len(form[-1]) > 1:
        words[-1] += ":*"
    return " <-> ".join(words)


def _figure(number: str, unit: str) -> Part:
    value = Decimal(number).normalize()
    figure = format(value, "f")
    said = _UNITS[unit]
    forms = [f"{quoted(figure)} <-> {quoted(said)}", quoted(figure + said)]
    if said == "t":
        forms.append(f"{quoted(figure)} <-> {quoted('tesla')}")
    return Part(f"{figure} {said.upper() if said == 't' else said}", forms)


def _at(tokens: list[str], i: int) -> tuple[Part, int]:
    """The part that starts at token i, and how many tokens it takes."""
    token = tokens[i]
    if match := _FIGURE.match(token):
        return _figure(match.group(1), match.group(2)), 1
    following = tokens[i + 1] if i + 1 < len(tokens) else ""
    if _NUMBER.match(token) and following in _UNITS:
        return _figure(token, following), 2
    for size in range(min(_LONGEST, len(tokens) - i), 0, -1):
        typed = tuple(tokens[i : i + size])
        group = _FORMS.get(typed)
        if group:
            alternatives = [_phrase(typed, prefix=True)]
            alternatives += [_phrase(tuple(f.split())) for f in group if tuple(f.split()) != typed]
            return Part(" ".join(typed), alternatives), size
    return Part(token, [_phrase((token,), prefix=True)], is_word=True), 1


def _spellings_sql() -> str:
    return """
SELECT w.word,
       EXISTS (SELECT 1 FROM sku_word v WHERE v.word >= (w.word COLLATE "C")
                                          AND v.word < ((w.word || '~') COLLATE "C")) AS known,
       ARRAY(SELECT v.word FROM sku_word v WHERE v.word % w.word
              AND similarity(v.word, w.word) >= :closeness
              ORDER BY similarity(v.word, w.word) DESC, v.word LIMIT 2) AS close
  FROM unnest(CAST(:words AS text[])) AS w(word)"""


def parse_query(db: Session, q: str) -> ParsedQuery:
    """The parts of `q` (at most ten words), each with its synonyms, figures' spellings and
    spelling corrections; `unmatched` names the words that start no word of the catalog
    and resemble none."""
    tokens = list(dict.fromkeys(q.lower().split()))[:MAX_WORDS]
    parts, i = [], 0
    while i < len(tokens):
        part, used = _at(tokens, i)
        parts.append(part)
        i += used
    typed = [p.typed for p in parts if p.is_word and _CORRECTABLE.match(p.typed)]
    unmatched: list[str] = []
    if typed:
        rows = db.execute(text(_spellings_sql()), {"words": typed, "closeness": CLOSENESS})
        close = {r.word: list(r.close) for r in rows if not r.known}
        for part in parts:
            if part.typed in close:
                part.alternatives += [quoted(c) for c in close[part.typed]]
                if not close[part.typed]:
                    unmatched.append(part.typed)
    return ParsedQuery(parts, unmatched)


def nearest_words(db: Session, words: list[str]) -> dict[str, str]:
    """For each word, the catalog's word most like it, if any is at least a little like it
    (for "did you mean")."""
    if not words:
        return {}
    rows = db.execute(
        text("""
SELECT w.word, (SELECT v.word FROM sku_word v
                 WHERE similarity(v.word, w.word) >= :near
                 ORDER BY similarity(v.word, w.word) DESC, v.word LIMIT 1) AS best
  FROM unnest(CAST(:words AS text[])) AS w(word)"""),
        {"words": words, "near": NEAR},
    )
    return {r.word: r.best for r in rows if r.best}
