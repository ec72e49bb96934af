"""Orders: `ORM^O01` messages from the lab's information system become `lab_order` rows for
an analyzer; the analyzer takes them by host query (it asks for a specimen's orders) or,
on a channel set to push, they are sent to it. Results link back to their order."""

from __future__ import annotations

import uuid

import hl7
from sqlalchemy import text
from sqlmodel import Session

from services.lab.hl7fields import field, first, timestamp
from services.lab.models import LabMessage
from services.lab.patients import upsert_patient

UPSERT = text(
    """
    INSERT INTO lab_order (tenant_id, channel_id, patient_id, placer_order_number,
        filler_order_number, specimen_id, test_code, test_name, priority, status, ordered_at,
        source_message_id)
    VALUES (:tenant, :channel, :patient, :placer, :filler, :specimen, :code, :name, :priority,
        :status, :ordered_at, :message)
    ON CONFLICT (tenant_id, placer_order_number, test_code) DO UPDATE SET
        status = CASE WHEN :status = 'resulted' OR lab_order.status <> 'resulted'
                      THEN :status ELSE lab_order.status END,
        filler_order_number = coalesce(nullif(EXCLUDED.filler_order_number, ''),
                                       lab_order.filler_order_number),
        patient_id = coalesce(EXCLUDED.patient_id, lab_order.patient_id),
        channel_id = coalesce(lab_order.channel_id, EXCLUDED.channel_id)
    RETURNING id
    """
)
CONTROL_STATUS = {"NW": "new", "XO": "new", "RP": "new", "CA": "cancelled", "OC": "cancelled"}


def _upsert(db: Session, record: LabMessage, **values) -> uuid.UUID:
    return db.execute(
        UPSERT, {"tenant": record.tenant_id, "message": record.id, **values}
    ).scalar_one()


def order_for_result(
    db: Session, record: LabMessage, message: hl7.Message, obr, patient_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The order an `OBR` of a result answers, marked resulted (created when the result
    arrived without one). None when the `OBR` names no order number."""
    placer = field(message, obr, 2)[:80]
    filler = field(message, obr, 3)[:80]
    if not placer and not filler:
        return None
    return _upsert(
        db,
        record,
        channel=record.channel_id,
        patient=patient_id,
        placer=placer or filler,
        filler=filler,
        specimen=(filler or placer),
        code=field(message, obr, 4)[:60],
        name=field(message, obr, 4, 2)[:200],
        priority="R",
        status="resulted",
        ordered_at=timestamp(field(message, obr, 7)),
    )


def order_for_specimen_result(
    db: Session, record: LabMessage, specimen: str, code: str, patient_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The order a result for `specimen` and test `code` answers (ASTM results name the
    specimen, not the order number), marked resulted; created when there was none."""
    if not specimen:
        return None
    found = db.execute(
        text(
            "UPDATE lab_order SET status = 'resulted' WHERE tenant_id = :tenant "
            "AND specimen_id = :specimen AND test_code = :code AND status <> 'cancelled' "
            "RETURNING id"
        ),
        {"tenant": record.tenant_id, "specimen": specimen, "code": code},
    ).first()
    if found:
        return found[0]
    return _upsert(
        db,
        record,
        channel=record.channel_id,
        patient=patient_id,
        placer=specimen[:80],
        filler="",
        specimen=specimen[:80],
        code=code[:60],
        name="",
        priority="R",
        status="resulted",
        ordered_at=None,
    )


def apply_orm(db: Session, record: LabMessage, message: hl7.Message) -> int:
    """Stores each ordered test (`ORC` + `OBR`) of an `ORM^O01` for the analyzer named in
    `MSH-5` (a channel of the same lab), or for any of the lab's analyzers. `ORC-1` `CA`
    cancels. Returns the number of orders; raises ValueError when an order has no number."""
    patient_id = upsert_patient(db, record, message)
    target = _target_channel(db, record, field(message, first(message, "MSH"), 5))
    count, control = 0, "NW"
    for segment in message:
        name = str(segment[0])
        if name == "ORC":
            control = field(message, segment, 1).upper() or "NW"
        if name != "OBR":
            continue
        placer = field(message, segment, 2)[:80]
        if not placer:
            raise ValueError("OBR-2 (placer order number) is empty")
        _upsert(
            db,
            record,
            channel=target,
            patient=patient_id,
            placer=placer,
            filler=field(message, segment, 3)[:80],
            specimen=(field(message, segment, 3) or placer)[:80],
            code=field(message, segment, 4)[:60],
            name=field(message, segment, 4, 2)[:200],
            priority=(field(message, segment, 5) or "R")[:2],
            status=CONTROL_STATUS.get(control, "new"),
            ordered_at=timestamp(field(message, segment, 6)),
        )
        count += 1
    if not count:
        raise ValueError("the ORM^O01 message has no OBR segment")
    return count


def _target_channel(db: Session, record: LabMessage, application: str) -> uuid.UUID | None:
    if not application:
        return None
    return db.execute(
        text(
            "SELECT id FROM lab_channel WHERE tenant_id = :tenant AND sending_application = :app "
            "ORDER BY created_at LIMIT 1"
        ),
        {"tenant": record.tenant_id, "app": application},
    ).scalar()


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
