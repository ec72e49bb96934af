"""RFQ expiry: at `expires_at` an open or negotiating RFQ becomes expired, and so do the
quotes still submitted on it.

Two paths reach the same function: a task scheduled for the exact moment when the RFQ
opens, and a periodic sweep that catches anything a stopped worker missed. Each pass
changes only RFQs still open or negotiating and past their time, with rows locked by
SKIP LOCKED, so running it twice (or both paths at once) expires an RFQ exactly once,
with its events and audit entry in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.db import system_session


def _engine_actor(tenant_id: uuid.UUID) -> Actor:
    return Actor(None, tenant_id, TenantKind.PLATFORM, frozenset(), "rfq-expiry")


EXPIRE = """
WITH due AS (
    SELECT id, status FROM rfq
     WHERE status IN ('open', 'negotiating') AND expires_at <= now()
       AND (CAST(:rfq AS uuid) IS NULL OR id = CAST(:rfq AS uuid))
     ORDER BY expires_at LIMIT :limit FOR UPDATE SKIP LOCKED),
expired AS (
    UPDATE rfq r SET status = 'expired', updated_at = now()
      FROM due WHERE r.id = due.id
    RETURNING r.id, r.tenant_id, r.number, r.expires_at, due.status AS old),
quotes AS (
    UPDATE quote q SET status = 'expired', updated_at = now()
      FROM expired WHERE q.rfq_id = expired.id AND q.is_current AND q.status = 'submitted'
    RETURNING q.id, q.rfq_id),
events AS (
    INSERT INTO outbox_event (tenant_id, name, entity, entity_id, payload)
    SELECT e.tenant_id, n.name, 'rfq', e.id::text, jsonb_build_object(
           'number', e.number, 'expiresAt', e.expires_at, 'to', 'expired', 'from', e.old,
           'quotesExpired', (SELECT count(*) FROM quotes WHERE quotes.rfq_id = e.id))
      FROM expired e
     CROSS JOIN (VALUES ('RFQExpired'), ('RFQStatusChanged')) AS n (name))
SELECT e.id, e.tenant_id, e.number,
       (SELECT count(*) FROM quotes WHERE quotes.rfq_id = e.id) AS quotes
  FROM expired e
"""


def expire_due(rfq_id: uuid.UUID | None = None, limit: int = 500) -> list[dict]:
    """Expire RFQs past their time (only `rfq_id` when given); returns what this pass
    expired: [{"rfqId", "number", "tenantId", "quotesExpired"}]. Safe to run any number of
    times: an RFQ already expired, cancelled or not yet due is left alone."""
    with system_session() as db:
        rows = db.execute(
            text(EXPIRE), {"rfq": str(rfq_id) if rfq_id else None, "limit": limit}
        ).all()
        for row in rows:
            audit.record(
                db,
                _engine_actor(row.tenant_id),
                "rfq.expired",
                "rfq",
                row.id,
                f"RFQ-{row.number} expired; {row.quotes} quote(s) expired with it",
            )
    return [
        {
            "rfqId": str(r.id),
            "number": r.number,
            "tenantId": str(r.tenant_id),
            "quotesExpired": int(r.quotes),
        }
        for r in rows
    ]
