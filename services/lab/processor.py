"""From stored messages to patients, orders and results, off the acknowledgement path.

`process_waiting` takes a batch of `received` messages (several processors may run: rows
are claimed with SKIP LOCKED), works out each one's plan with python-hl7 (or the ASTM
reader), writes all plans of the batch together and marks each message `processed` or
`error` with the reason. If the batch cannot be written as a whole, each message is
written on its own, so one bad message holds up no other. Each message that stored
results is announced on the `lab_result` channel (`{"tenantId", "messageId",
"resultCount"}`) for live pages.
"""

from __future__ import annotations

import json
import logging
import uuid

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from services.db import system_session
from services.lab import hl7msg
from services.lab.models import LabChannel, LabMessage, LabTestCode
from services.lab.plans import Plan, plan_astm, plan_hl7
from services.lab.writer import write_plans

log = logging.getLogger("yantra.lab.processor")
BATCH = 500

CLAIM = text(
    """
    SELECT id FROM lab_message WHERE state = 'received' AND tenant_id IS NOT NULL
    ORDER BY received_at LIMIT :limit FOR UPDATE SKIP LOCKED
    """
)
MARK = text(
    """
    UPDATE lab_message m SET state = u.state, error = u.error, result_count = u.count,
        attempts = m.attempts + 1,
        processed_at = CASE WHEN u.state = 'processed' THEN now() END
    FROM unnest(CAST(:id AS uuid[]), CAST(:state AS text[]), CAST(:error AS text[]),
                CAST(:count AS int[])) AS u(id, state, error, count)
    WHERE m.id = u.id
    """
)
NOTIFY = text(
    "SELECT pg_notify('lab_result', payload) FROM unnest(CAST(:payloads AS text[])) AS payload"
)


def process_waiting(limit: int = BATCH) -> int:
    """Processes up to `limit` waiting messages in one transaction; returns how many were
    taken (processed or marked `error`)."""
    with system_session() as db:
        ids = list(db.execute(CLAIM, {"limit": limit}).scalars())
        if not ids:
            return 0
        records = db.exec(select(LabMessage).where(LabMessage.id.in_(ids))).all()
        db.expunge_all()  # read only: states are written below, in one statement
        records = sorted(records, key=lambda r: r.received_at)
        channels = _channels(db, {r.channel_id for r in records if r.channel_id})
        senders = {(c.tenant_id, c.sending_application): c.id for c, _ in channels.values()}
        outcomes: dict[uuid.UUID, tuple[str, str, int]] = {}
        plans: list[Plan] = []
        for record in records:
            try:
                plans.append(_plan(record, channels, senders))
            except (ValueError, hl7msg.Rejected, IndexError, KeyError) as error:
                log.info("lab message %s not processed: %s", record.id, type(error).__name__)
                outcomes[record.id] = ("error", str(error)[:500], 0)
        _write(db, plans, outcomes)
        _finish(db, records, outcomes)
        return len(records)


def _plan(record: LabMessage, channels: dict, senders: dict) -> Plan:
    channel, codes = channels.get(record.channel_id, (None, {}))
    if channel is None:
        raise ValueError("the message belongs to no channel")
    if record.protocol == "astm":
        return plan_astm(record, codes, channel.device_id)
    return plan_hl7(record, codes, channel.device_id, senders)


def _write(db: Session, plans: list[Plan], outcomes: dict) -> None:
    """All plans at once; when that fails, one at a time (the failing ones marked)."""
    try:
        with db.begin_nested():
            write_plans(db, plans)
        batches = []
    except DBAPIError as error:
        log.warning("lab batch of %d written one by one: %s", len(plans), type(error).__name__)
        batches = [[plan] for plan in plans]
    for batch in batches:
        try:
            with db.begin_nested():
                write_plans(db, batch)
        except DBAPIError as error:
            record = batch[0].record
            log.warning("lab message %s failed: %s", record.id, type(error).__name__)
            outcomes[record.id] = ("error", f"could not be stored ({type(error).__name__})", 0)
    for plan in plans:
        outcomes.setdefault(plan.record.id, ("processed", "", plan.result_count))


def _finish(db: Session, records: list[LabMessage], outcomes: dict) -> None:
    ordered = [(r, outcomes[r.id]) for r in records]
    db.execute(
        MARK,
        {
            "id": [r.id for r, _ in ordered],
            "state": [o[0] for _, o in ordered],
            "error": [o[1] for _, o in ordered],
            "count": [o[2] for _, o in ordered],
        },
    )
    payloads = [
        json.dumps({"tenantId": str(r.tenant_id), "messageId": str(r.id), "resultCount": o[2]})
        for r, o in ordered
        if o[0] == "processed" and o[2]
    ]
    if payloads:
        db.execute(NOTIFY, {"payloads": payloads})


def _channels(db: Session, ids: set) -> dict[uuid.UUID, tuple[LabChannel, dict]]:
    """The batch's channels with their test codes, and the other channels of their labs
    (an order names its analyzer by sender)."""
    if not ids:
        return {}
    tenants = select(LabChannel.tenant_id).where(LabChannel.id.in_(ids))
    found: dict[uuid.UUID, tuple[LabChannel, dict]] = {}
    for channel in db.exec(select(LabChannel).where(LabChannel.tenant_id.in_(tenants))).all():
        found[channel.id] = (channel, {})
    for code in db.exec(select(LabTestCode).where(LabTestCode.channel_id.in_(ids))).all():
        found[code.channel_id][1][code.analyzer_code] = code
    return found
