"""Retention of raw lab messages: how long the message store keeps what arrived."""

from __future__ import annotations

import logging

from sqlalchemy import text

from services.db import system_session

log = logging.getLogger("yantra.lab.retention")


def apply_retention(days: int) -> dict[str, int]:
    """Past `days`: a processed message keeps its row (results point to it) but loses its
    raw text; a message that was never processed (error, or waiting with no result) is
    deleted. Returns how many were emptied and deleted. Idempotent."""
    with system_session() as db:
        emptied = db.execute(
            text(
                "UPDATE lab_message SET raw = '' WHERE state = 'processed' AND raw <> '' "
                "AND received_at < now() - make_interval(days => :days)"
            ),
            {"days": days},
        ).rowcount
        deleted = db.execute(
            text(
                """
                DELETE FROM lab_message m WHERE m.state <> 'processed'
                  AND m.received_at < now() - make_interval(days => :days)
                  AND NOT EXISTS (SELECT 1 FROM lab_result r WHERE r.message_id = m.id)
                  AND NOT EXISTS (SELECT 1 FROM lab_patient p WHERE p.source_message_id = m.id)
                  AND NOT EXISTS (SELECT 1 FROM lab_order o WHERE o.source_message_id = m.id)
                """
            ),
            {"days": days},
        ).rowcount
    if emptied or deleted:
        log.info("lab retention: %d raw messages emptied, %d deleted", emptied, deleted)
    return {"emptied": emptied, "deleted": deleted}
