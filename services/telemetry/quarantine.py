"""A device's refused payloads as its page shows them: newest first, a page at a time, with
how many were refused for each kind of reason.

The payload is what the device sent, so it is data from outside: the excerpt is cut short
and its control characters made visible; Reflex escapes it on screen like any text."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.errors import Invalid

PAGE_SIZE = 20
EXCERPT_CHARS = 160
# The ingest's refusals (`ingest.parse`) name the field first; these read them as kinds.
KIND = """
CASE WHEN reason LIKE 'payload: not JSON%' THEN 'not JSON'
     WHEN reason LIKE 'payload:%' THEN 'not a JSON object'
     WHEN reason LIKE 'ts:%future%' THEN 'time in the future'
     WHEN reason LIKE 'ts:%' THEN 'bad time'
     WHEN reason LIKE 'seq:%' THEN 'bad sequence number'
     WHEN reason LIKE '%is not a metric%' THEN 'unknown metric'
     WHEN reason LIKE '%must be a number%' THEN 'value not a number'
     WHEN reason LIKE '%is outside%' THEN 'value out of range'
     WHEN reason LIKE 'metrics:%' THEN 'no metrics'
     ELSE 'other' END
"""


def excerpt(payload: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a payload, one line, control characters shown as escapes."""
    shown = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in payload[: limit + 1]
    )
    return shown[:limit] + "…" if len(shown) > limit or len(payload) > limit else shown


def quarantine_page(
    db: Session, device_id: uuid.UUID, page: int = 1, per_page: int = PAGE_SIZE
) -> dict[str, Any]:
    """One page of the device's refused payloads, newest first ({receivedAt, reason, kind,
    excerpt, payload}), the total, and the counts per kind of reason, most first. Row-level security
    applies: a session that may not see the device gets none. Raises Invalid for a page
    below 1 or a page size outside 1–100."""
    if page < 1:
        raise Invalid("page", "must be 1 or more")
    if not 1 <= per_page <= 100:
        raise Invalid("perPage", "must be from 1 to 100")
    rows = db.execute(
        text(
            f"SELECT received_at, reason, {KIND} AS kind, payload"
            " FROM telemetry_quarantine WHERE device_id = :d"
            " ORDER BY received_at DESC, id LIMIT :lim OFFSET :off"
        ),
        {"d": device_id, "lim": per_page, "off": (page - 1) * per_page},
    ).all()
    kinds = db.execute(
        text(
            f"SELECT {KIND} AS kind, count(*) AS n FROM telemetry_quarantine"
            " WHERE device_id = :d GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
        {"d": device_id},
    ).all()
    return {
        "items": [
            {
                "receivedAt": r.received_at.isoformat(),
                "reason": r.reason,
                "kind": r.kind,
                "excerpt": excerpt(r.payload),
                "payload": r.payload,
            }
            for r in rows
        ],
        "total": sum(k.n for k in kinds),
        "byReason": [{"kind": k.kind, "count": k.n} for k in kinds],
        "page": page,
        "perPage": per_page,
    }
