"""From stored messages to patients, orders and results, off the acknowledgement path.

`process_waiting` takes a batch of `received` messages (several processors may run: rows
are claimed with SKIP LOCKED), parses each with python-hl7, applies it by type and marks
it `processed` or `error` with the reason. Each message that stored results is announced
on the `lab_result` channel (`{"tenantId", "messageId", "resultCount"}`), for live pages.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlmodel import Session, select

from services.db import system_session
from services.lab import hl7msg
from services.lab.hl7fields import parse
from services.lab.models import LabChannel, LabMessage, LabTestCode
from services.lab.orders import apply_orm
from services.lab.patients import apply_adt
from services.lab.results import apply_oru

log = logging.getLogger("yantra.lab.processor")
BATCH = 200

MARK = text(
    """
    UPDATE lab_message SET state = CAST(:state AS varchar), error = :error, result_count = :count,
        attempts = attempts + 1,
        processed_at = CASE WHEN CAST(:state AS varchar) = 'processed' THEN now() END
    WHERE id = :id
    """
)
CLAIM = text(
    """
    SELECT id FROM lab_message WHERE state = 'received' AND tenant_id IS NOT NULL
    ORDER BY received_at LIMIT :limit FOR UPDATE SKIP LOCKED
    """
)


def process_waiting(limit: int = BATCH, astm: Callable | None = None) -> int:
    """Processes up to `limit` waiting messages in one transaction; returns how many were
    taken (processed or marked `error`)."""
    with system_session() as db:
        ids = list(db.execute(CLAIM, {"limit": limit}).scalars())
        if not ids:
            return 0
        records = db.exec(select(LabMessage).where(LabMessage.id.in_(ids))).all()
        db.expunge_all()  # read only: states are written below, in one statement
        channels = _channels(db, {r.channel_id for r in records if r.channel_id})
        outcomes = [
            _process_one(db, record, channels, astm)
            for record in sorted(records, key=lambda r: r.received_at)
        ]
        db.execute(MARK, outcomes)
        return len(records)


def _channels(db: Session, ids: set) -> dict[uuid.UUID, tuple[LabChannel, dict]]:
    if not ids:
        return {}
    found: dict[uuid.UUID, tuple[LabChannel, dict]] = {}
    for channel in db.exec(select(LabChannel).where(LabChannel.id.in_(ids))).all():
        found[channel.id] = (channel, {})
    for code in db.exec(select(LabTestCode).where(LabTestCode.channel_id.in_(ids))).all():
        found[code.channel_id][1][code.analyzer_code] = code
    return found


def _process_one(db: Session, record: LabMessage, channels: dict, astm: Callable | None) -> dict:
    """Applies one message inside a savepoint; returns its new state for `MARK`."""
    channel, codes = channels.get(record.channel_id, (None, {}))
    outcome = {"id": record.id, "state": "error", "count": 0}
    savepoint = db.begin_nested()
    try:
        if channel is None:
            raise ValueError("the message belongs to no channel")
        if record.protocol == "astm":
            if astm is None:
                raise ValueError("ASTM messages are processed by the ASTM module")
            count = astm(db, record, channel, codes)
        else:
            count = apply_hl7(db, record, codes, channel.device_id)
        savepoint.commit()
    except (ValueError, hl7msg.Rejected, IndexError, KeyError) as error:
        savepoint.rollback()
        log.info("lab message %s not processed: %s", record.id, type(error).__name__)
        return outcome | {"error": str(error)[:500]}
    except Exception as error:  # noqa: BLE001 - one message's failure stops no other
        savepoint.rollback()
        log.warning("lab message %s failed: %s", record.id, type(error).__name__)
        return outcome | {"error": f"could not be processed ({type(error).__name__})"}
    if count and record.message_type.startswith(("ORU", "ASTM")):
        payload = {
            "tenantId": str(record.tenant_id),
            "messageId": str(record.id),
            "resultCount": count,
        }
        db.execute(text("SELECT pg_notify('lab_result', :p)"), {"p": json.dumps(payload)})
    return outcome | {"state": "processed", "error": "", "count": count}


def apply_hl7(db: Session, record: LabMessage, codes: dict, device_id) -> int:
    """Applies one HL7 message by type; returns the number of results it stored (orders
    for `ORM`). Raises ValueError or `Rejected` with what is wrong."""
    header = hl7msg.read_header(record.raw)
    hl7msg.check(record.raw, header)
    message = parse(record.raw)
    if header.message_type == "ORU^R01":
        return apply_oru(db, record, message, codes, device_id)
    if header.message_type == "ORM^O01":
        apply_orm(db, record, message)
        return 0
    return apply_adt(db, record, message)
