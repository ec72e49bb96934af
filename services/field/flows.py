"""After a field job is resolved: its service report is drawn and attached once the resolve
has committed, from the outbox (at least once; `attach_report` keeps one report per job)."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from services.events.registry import EventView, subscriber
from services.field.closing import attach_report


@subscriber("field.service_report", events=["TicketStatusChanged"])
def draw_service_report(db: Session, event: EventView) -> None:
    if event.payload.get("to") == "resolved":
        attach_report(db, uuid.UUID(event.entity_id))
