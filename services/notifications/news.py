"""Who outside the service team hears what, on their own channels and in their language.

- the hospital (or lab) whose ticket it is: opened, an engineer assigned (with the
  engineer's name and ETA), the engineer on the way, resolved, and an SLA deadline missed.
  The person who opened the ticket hears it; when someone else opened it (a dispatcher, a
  phone scan, an analyzer), everyone of the hospital who may follow tickets does;
- the OEM: a bulk device import finished (its device importers), and news of its orders;
- the buyer: its orders shipped.

Order notices already reach the bell through `subscribers.py`, so here they add only
WhatsApp and e-mail. Each notice is sent once per event, person and channel, however
often the event is delivered.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from services.actor import TenantKind, system_actor
from services.common.roles import BUYERS, CUSTOMERS, DEVICE_IMPORTERS, SUPPLIERS
from services.db import tenant_session
from services.devices.models import DeviceRegistrationBatch
from services.events.registry import EventView, subscriber
from services.notifications.channels import Message, tell_people
from services.notifications.service import people_with_roles
from services.notifications.templates import Word
from services.orders.models import SalesOrder
from services.tickets.models import Ticket


@dataclass(frozen=True)
class Reach:
    """A message for `tenant_id`: the holders of `roles` there (only the ticket's opener
    when `to_opener` and they are one of them); `in_app` False when the bell has it."""

    tenant_id: uuid.UUID
    message: Message
    roles: frozenset
    to_opener: bool = False
    in_app: bool = True


def _device(db: Session, ticket: Ticket) -> str:
    name = db.execute(
        text(
            "SELECT s.name || ' (' || e.serial_number || ')' FROM equipment e "
            "JOIN sku s ON s.id = e.sku_id WHERE e.id = :e"
        ),
        {"e": ticket.equipment_id},
    ).scalar()
    return name or "your device"


def _opener(db: Session, ticket_id: uuid.UUID | None) -> uuid.UUID | None:
    """Who opened the ticket, read in the hospital's own session (its timeline entry)."""
    if ticket_id is None:
        return None
    return db.execute(
        text(
            "SELECT actor_id FROM ticket_event WHERE ticket_id = :t AND kind = 'opened' "
            "ORDER BY created_at LIMIT 1"
        ),
        {"t": ticket_id},
    ).scalar()


def _engineer(db: Session, ticket: Ticket) -> str | None:
    if ticket.technician_id is None:
        return None
    return db.execute(
        text(
            "SELECT nullif(u.full_name, '') FROM technician t JOIN users u ON u.id = t.user_id "
            "WHERE t.id = :t"
        ),
        {"t": ticket.technician_id},
    ).scalar()


def _eta(db: Session, ticket: Ticket) -> datetime | None:
    """The ETA of the ticket's stop in the newest accepted dispatch plan, if any."""
    eta = db.execute(
        text(
            "SELECT stop ->> 'eta' FROM dispatch_plan p, jsonb_array_elements(p.routes) r, "
            "jsonb_array_elements(r -> 'stops') stop WHERE p.status = 'accepted' "
            "AND stop ->> 'ticketId' = :t ORDER BY p.accepted_at DESC NULLS LAST LIMIT 1"
        ),
        {"t": str(ticket.id)},
    ).scalar()
    return datetime.fromisoformat(eta) if eta else None


def _for_hospital(db: Session, ticket: Ticket, kind: str, params: dict, key: str) -> list[Reach]:
    message = Message(
        kind,
        {"number": str(ticket.number), "priority": ticket.priority, **params},
        f"/tickets/{ticket.id}",
        key=key,
        ticket_id=ticket.id,
    )
    return [Reach(ticket.tenant_id, message, CUSTOMERS, to_opener=True)]


def _ticket_opened(db: Session, event: EventView) -> list[Reach]:
    ticket = db.get(Ticket, uuid.UUID(event.entity_id))
    if ticket is None:
        return []
    params = {"device": _device(db, ticket)}
    return _for_hospital(db, ticket, "ticket_opened", params, f"event:{event.id}:news")


def _ticket_moved(db: Session, event: EventView) -> list[Reach]:
    ticket = db.get(Ticket, uuid.UUID(event.entity_id))
    to = event.payload.get("to")
    if ticket is None or to not in ("assigned", "en_route", "resolved"):
        return []
    key = f"event:{event.id}:news"
    if to == "assigned":
        params = {"engineer": _engineer(db, ticket), "eta": _eta(db, ticket)}
        return _for_hospital(db, ticket, "ticket_assigned", params, key)
    if to == "en_route":
        return _for_hospital(
            db, ticket, "ticket_en_route", {"engineer": _engineer(db, ticket)}, key
        )
    params = {"device": _device(db, ticket), "resolved_at": ticket.resolved_at or ticket.updated_at}
    return _for_hospital(db, ticket, "ticket_resolved", params, key)


def _breached(db: Session, event: EventView) -> list[Reach]:
    ticket = db.get(Ticket, uuid.UUID(event.entity_id))
    if ticket is None:
        return []
    due = event.payload.get("dueAt")
    params = {
        "clock": Word(str(event.payload.get("clock") or "response")),
        "due": datetime.fromisoformat(due) if due else None,
    }
    return _for_hospital(db, ticket, "sla_breached", params, f"event:{event.id}:news")


def _imported(db: Session, event: EventView) -> list[Reach]:
    batch = db.get(DeviceRegistrationBatch, uuid.UUID(event.entity_id))
    if batch is None:
        return []
    message = Message(
        "import_finished",
        {
            "batch": batch.external_batch_id,
            "processed": int(event.payload.get("processed") or 0),
            "failed": int(event.payload.get("failed") or 0),
        },
        "/devices",
        key=f"event:{event.id}:news",
    )
    return [Reach(batch.tenant_id, message, DEVICE_IMPORTERS)]


def _order(db: Session, event: EventView) -> list[Reach]:
    status = event.payload.get("to", "")
    order = db.get(SalesOrder, uuid.UUID(event.entity_id))
    if order is None or status not in ("shipped", "delivered", "installed"):
        return []
    shipped = status == "shipped"
    reader, other = (
        (order.tenant_id, order.seller_tenant_id)
        if shipped
        else (order.seller_tenant_id, order.tenant_id)
    )
    party = db.execute(
        text("SELECT name FROM tenant_directory() WHERE id = :t"), {"t": other}
    ).scalar()
    message = Message(
        "order_update",
        {"order": order.label, "status": Word(status), "party": party or ""},
        f"/orders?order={order.id}",
        key=f"event:{event.id}:news",
    )
    return [Reach(reader, message, BUYERS if shipped else SUPPLIERS, in_app=False)]


NEWS: dict[str, Callable[[Session, EventView], list[Reach]]] = {
    "TicketOpened": _ticket_opened,
    "TicketStatusChanged": _ticket_moved,
    "SLABreached": _breached,
    "BatchProcessed": _imported,
    "OrderShipped": _order,
    "OrderStatusChanged": _order,
}


@subscriber("notify_channels", events=NEWS)
def notify_channels(db: Session, event: EventView) -> None:
    """Send the notices `event` calls for, each in its reader's organisation, on each
    reader's channels and in their language."""
    for reach in NEWS[event.name](db, event):
        kind = db.execute(
            text("SELECT kind FROM tenant_directory() WHERE id = :t"), {"t": reach.tenant_id}
        ).scalar_one()
        reader = system_actor(reach.tenant_id, TenantKind(kind), "notifications")
        with tenant_session(reader) as own:
            people = people_with_roles(own, reach.tenant_id, reach.roles)
            opener = _opener(own, reach.message.ticket_id) if reach.to_opener else None
            mine = [p for p in people if p[0] == opener]
            tell_people(own, reach.tenant_id, mine or people, reach.message, in_app=reach.in_app)
