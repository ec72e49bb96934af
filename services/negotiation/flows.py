"""What follows a negotiation's own steps: after one side's counter-offer, the coach weighs
it for the other side. This runs as an outbox subscriber (in a worker), so the tip comes
whether or not the other side has the room open, and the offer itself is never held up."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import text
from sqlmodel import Session

from services.actor import TenantKind, system_actor
from services.db import tenant_session
from services.errors import DomainError
from services.events.registry import EventView, subscriber
from services.negotiation import coach
from services.negotiation.service import Room, thread
from services.rfq.models import Rfq

log = logging.getLogger("yantra.negotiation")


@subscriber("negotiation_coach", events=["CounterOffered"])
def weigh_counter_offer(db: Session, event: EventView) -> None:
    """Post a coach tip for the side that received the counter-offer (only that side sees
    it). Delivered at least once: a counter-offer already weighed is not weighed again. An
    offer the coach cannot weigh (the room closed, no price it knows) gets no tip."""
    countered_by, counter_id = event.payload["side"], event.payload["messageId"]
    rfq = db.get(Rfq, uuid.UUID(event.entity_id))
    if rfq is None:
        return
    oem_id = uuid.UUID(event.payload["oemId"])
    side = "oem" if countered_by == "buyer" else "buyer"
    receiver = oem_id if side == "oem" else rfq.tenant_id
    kind = db.execute(
        text("SELECT kind FROM tenant_directory() WHERE id = :t"), {"t": receiver}
    ).scalar_one()
    actor = system_actor(receiver, TenantKind(kind), "coach")
    with tenant_session(actor) as own:
        room = Room(own.get(Rfq, rfq.id), rfq.tenant_id, oem_id, side)
        if any(
            m["kind"] == "coachTip" and (m["offer"] or {}).get("weighs") == counter_id
            for m in thread(own, room)
        ):
            return
        try:
            coach.suggest(own, room, weighs=counter_id)
        except (DomainError, ValueError) as exc:
            log.info("no coach tip for counter-offer %s: %s", counter_id, exc)
