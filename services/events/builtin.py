"""The platform's own subscribers."""

from __future__ import annotations

import json
import logging

from sqlmodel import Session

from services.events.registry import EventView, subscriber

log = logging.getLogger("yantra.events")


@subscriber("ops_log")
def log_event(db: Session, event: EventView) -> None:
    """One structured line per event for the operations log stream (no payload: it may
    name people)."""
    log.info(
        json.dumps(
            {
                "event": event.name,
                "eventId": event.id,
                "tenantId": event.tenant_id,
                "entity": event.entity,
                "entityId": event.entity_id,
            }
        )
    )
