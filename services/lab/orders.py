"""Orders waiting for an analyzer. `ORM^O01` messages from the lab's information system
become `lab_order` rows (see `services/lab/plans.py`); an analyzer takes its specimen's
orders by host query. Results link back to their order."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import Session


def take_orders_for_specimen(
    db: Session, channel_id: uuid.UUID, tenant_id: uuid.UUID, specimen_id: str
) -> list[dict]:
    """The host query: the open orders of a specimen for this analyzer (or for any of its
    lab's analyzers), marked sent. Returns them as dicts (test code, name, priority,
    patient identifier); empty when there are none."""
    rows = db.execute(
        text(
            """
            UPDATE lab_order o SET status = 'sent', sent_at = now()
            FROM lab_order o2 LEFT JOIN lab_patient p ON p.id = o2.patient_id
            WHERE o.id = o2.id AND o.tenant_id = :tenant AND o.specimen_id = :specimen
              AND o.status IN ('new', 'sent') AND (o.channel_id IS NULL OR o.channel_id = :channel)
            RETURNING o.id, o.placer_order_number, o.specimen_id, o.test_code, o.test_name,
                      o.priority, coalesce(p.identifier, '') AS patient_identifier,
                      coalesce(p.family_name, '') AS family_name,
                      coalesce(p.given_name, '') AS given_name
            """
        ),
        {"tenant": tenant_id, "specimen": specimen_id, "channel": channel_id},
    ).mappings()
    return [dict(row) for row in rows]
