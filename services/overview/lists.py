"""The shape of the home page's to-do lists, shared by each role's lists: an item to act
on, a section of them, and reading rows that also count how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session


@dataclass(frozen=True)
class Item:
    """One thing to act on: what it is, a line about it, and the page to act on it."""

    title: str
    detail: str
    link: str
    priority: str = ""  # P1 to P4 for tickets, coloured like everywhere else


@dataclass
class Section:
    """One to-do list: its heading, its items (the first few), how many there are in all,
    and what to do when it is empty."""

    key: str
    label: str
    empty: str
    next_label: str
    next_link: str
    total: int = 0
    items: list[Item] = field(default_factory=list)


Listed = tuple[int, list[Item]]  # how many in all, and the first few


def read_rows(db: Session, sql: str, **params) -> list:
    """The rows of `sql` as mappings, under the reader's row-level security."""
    return list(db.execute(text(sql), params).mappings())


def total_of(rows: list) -> int:
    """Every list query also counts all its rows (`count(*) OVER ()`), beyond the first few."""
    return int(rows[0]["total"]) if rows else 0
