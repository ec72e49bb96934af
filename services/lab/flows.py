"""After results are verified: the patient hears on WhatsApp that the report is ready.

Verification (by the rules or by a person releasing a held result) calls
`announce_verified` in its own transaction. It writes a `LabResultsVerified` event for
each order of those results whose patient can be told (a number from `PID-13`/`PID-14`
and an unrevoked `report_ready` consent) and was not told yet; nothing else is done on the
verification path. After commit, `tell_patient` (an outbox subscriber, at least once)
checks that the order's report is complete (the latest result of each test in it
auto-verified or released) and sends `test_result_ready` in the patient's language,
once per order: the order is locked and stamped `ready_notified_at`, and the message log
keys the notice by the order. A patient without number or consent is told nothing, and
no verification fails for it.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import text
from sqlmodel import Session

from services.errors import Invalid
from services.events.registry import EventView, subscriber
from services.notifications.lab import notify_result_ready

log = logging.getLogger("yantra.lab.flows")

READY_PURPOSE = "report_ready"
VERIFIED = "LabResultsVerified"
_CONSENTED = """
    EXISTS (SELECT 1 FROM lab_consent c
             WHERE c.tenant_id = p.tenant_id AND c.patient_identifier = p.identifier
               AND c.purpose = 'report_ready' AND c.revoked_at IS NULL)
"""
# One statement for the whole batch, so verification stays as fast without patients to tell.
_ANNOUNCE = text(
    f"""
    INSERT INTO outbox_event (tenant_id, name, entity, entity_id, payload)
    SELECT DISTINCT o.tenant_id, '{VERIFIED}', 'lab_order', o.id::text, '{{}}'::jsonb
      FROM lab_result r
      JOIN lab_order o ON o.id = r.order_id
      JOIN lab_patient p ON p.id = o.patient_id
     WHERE r.id = ANY(:ids) AND o.ready_notified_at IS NULL AND p.phone <> ''
       AND {_CONSENTED}
    """
)
_ORDER = text(
    f"""
    SELECT o.id, o.tenant_id, o.test_name, o.test_code, p.identifier, p.given_name,
           p.family_name, p.phone, p.language, coalesce(l.name, t.name) AS lab_name
      FROM lab_order o
      JOIN lab_patient p ON p.id = o.patient_id
      JOIN tenant t ON t.id = o.tenant_id
      LEFT JOIN lab_channel ch ON ch.id = o.channel_id
      LEFT JOIN laboratories l ON l.id = ch.laboratory_id
     WHERE o.id = :id AND o.ready_notified_at IS NULL AND p.phone <> '' AND {_CONSENTED}
       FOR UPDATE OF o
    """
)
# A test sent again (a corrected result) counts by its latest result only.
_WAITING = text(
    """
    SELECT count(*) AS latest,
           count(*) FILTER (WHERE v.status IS NULL OR v.status = 'pending') AS waiting
      FROM (SELECT DISTINCT ON (r.analyzer_code) r.id FROM lab_result r
             WHERE r.order_id = :id
             ORDER BY r.analyzer_code, r.created_at DESC, r.sequence DESC) last
      LEFT JOIN lab_review v ON v.result_id = last.id
    """
)


def announce_verified(db: Session, result_ids: list[uuid.UUID]) -> int:
    """Write a `LabResultsVerified` event for each order of `result_ids` whose patient may
    be told and was not told yet, in the caller's transaction. Returns how many."""
    if not result_ids:
        return 0
    return db.execute(_ANNOUNCE, {"ids": list(result_ids)}).rowcount


def tell_patient_if_ready(db: Session, order_id: uuid.UUID) -> uuid.UUID | None:
    """Send the patient of `order_id` `test_result_ready` if every test of the order is
    verified, they gave a number and consent, and were not told yet; stamps the order.
    Returns the message-log id, or None when nothing was sent."""
    order = db.execute(_ORDER, {"id": order_id}).first()
    if order is None:
        return None
    counts = db.execute(_WAITING, {"id": order_id}).one()
    if counts.latest == 0 or counts.waiting:
        return None
    name = " ".join(x for x in (order.given_name, order.family_name) if x) or order.identifier
    try:
        sent = notify_result_ready(
            db,
            tenant_id=order.tenant_id,
            patient_name=name,
            patient_phone=order.phone,
            test_name=order.test_name or order.test_code or "lab",
            lab_name=order.lab_name,
            language=order.language or "en",
            key=str(order.id),
        )
    except Invalid as exc:  # the order is named, never the patient
        log.warning("lab order %s: patient not told (%s)", order.id, exc.field)
        return None
    db.execute(
        text("UPDATE lab_order SET ready_notified_at = now() WHERE id = :id"), {"id": order.id}
    )
    return sent


@subscriber("lab.report_ready", events=[VERIFIED])
def tell_patient(db: Session, event: EventView) -> None:
    tell_patient_if_ready(db, uuid.UUID(event.entity_id))
