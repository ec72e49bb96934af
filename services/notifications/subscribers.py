"""Who is told to act after what: outbox subscribers that write notices.

- an RFQ sent to an OEM: that OEM's sellers (sales and admin);
- a quote or a revised quote: the buyer's procurement people;
- a counter-offer, or an offer accepted: the other side of the room;
- a new P1 or P2 ticket: the dispatchers of the organisation that services the device;
- a job assigned by an accepted dispatch plan, or a call-out: that technician (and, for
  urgent work slotted into the day, the hospital's service desk users);
- a P1 no route can take, when the dispatcher lets the OEM know: the OEM's service desk;
- a plan accepted that does not keep every P1: the service managers;
- an order shipped: the buyer's people; delivered or installed: the seller's people.

Each notice is written in its reader's organisation, once per event and person however
often the event is delivered.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Role, TenantKind, system_actor
from services.common.clock import ist_text
from services.common.money import format_inr
from services.common.roles import (
    BUYERS,
    CUSTOMERS,
    DISPATCHERS,
    SELLERS,
    SERVICE_DESK,
    SERVICE_DESK_USERS,
    SUPPLIERS,
)
from services.db import tenant_session
from services.dispatch.models import Technician
from services.events.registry import EventView, subscriber
from services.notifications.service import Notice, notify_role, notify_users
from services.orders.models import SalesOrder
from services.rfq.models import Quote, Rfq
from services.tickets.models import Ticket

URGENT = ("P1", "P2")


@dataclass(frozen=True)
class Delivery:
    """A notice for the holders of `roles` in `tenant_id`, or for `people` (user, role)."""

    tenant_id: uuid.UUID
    notice: Notice
    roles: frozenset[Role] = frozenset()
    people: tuple[tuple[uuid.UUID, str], ...] = ()


def _name(db: Session, tenant_id: uuid.UUID) -> str:
    name = db.execute(
        text("SELECT name FROM tenant_directory() WHERE id = :t"), {"t": tenant_id}
    ).scalar()
    return name or "an organisation"


def _rfq_opened(db: Session, event: EventView) -> list[Delivery]:
    rfq = db.get(Rfq, uuid.UUID(event.entity_id))
    if rfq is None:
        return []
    buyer = _name(db, rfq.tenant_id)
    due = ist_text(rfq.expires_at, "%d %b %Y %H:%M IST")
    notice = Notice(
        "rfq_received",
        f"New RFQ {rfq.label}: {rfq.title or 'quote requested'}",
        f"{buyer} asks for your quote" + (f" by {due}" if due else ""),
        f"/rfqs/{rfq.id}",
        key=f"event:{event.id}",
    )
    return [Delivery(uuid.UUID(oem), notice, SELLERS) for oem in event.payload.get("oems", [])]


def _quote(db: Session, event: EventView) -> list[Delivery]:
    quote = db.get(Quote, uuid.UUID(event.entity_id))
    rfq = db.get(Rfq, quote.rfq_id) if quote is not None else None
    if rfq is None:
        return []
    oem = _name(db, quote.tenant_id)
    revised = event.name == "QuoteRevised"
    notice = Notice(
        "quote_revised" if revised else "quote_received",
        f"{'Revised quote' if revised else 'Quote'} on {rfq.label} from {oem}",
        f"{format_inr(quote.amount_paise)} before GST"
        + (f", revision {quote.revision}" if revised else "")
        + ": compare, counter or award",
        f"/rfqs/{rfq.id}",
        key=f"event:{event.id}",
    )
    return [Delivery(rfq.tenant_id, notice, BUYERS)]


def _counter(db: Session, event: EventView) -> list[Delivery]:
    rfq = db.get(Rfq, uuid.UUID(event.entity_id))
    if rfq is None:
        return []
    oem_id = uuid.UUID(event.payload["oemId"])
    by_buyer = event.payload.get("side") == "buyer"
    sender, receiver = (rfq.tenant_id, oem_id) if by_buyer else (oem_id, rfq.tenant_id)
    total = event.payload.get("totalPaise")
    notice = Notice(
        "counter_offer",
        f"Counter-offer on {rfq.label} from {_name(db, sender)}",
        (f"{format_inr(int(total))} on the table: " if total is not None else "")
        + "accept it or answer in the room",
        f"/negotiation/{rfq.id}/{oem_id}",
        key=f"event:{event.id}",
    )
    return [Delivery(receiver, notice, SELLERS if by_buyer else BUYERS)]


def _ticket_opened(db: Session, event: EventView) -> list[Delivery]:
    if event.payload.get("priority") not in URGENT:
        return []
    ticket = db.get(Ticket, uuid.UUID(event.entity_id))
    if ticket is None or ticket.service_partner_tenant_id is None:
        return []
    place = f" in {ticket.city}" if ticket.city else ""
    notice = Notice(
        "ticket_urgent",
        f"New {ticket.priority} ticket #{ticket.number}{place}",
        f"{_name(db, ticket.tenant_id)}: {ticket.description[:140]}",
        f"/tickets/{ticket.id}",
        key=f"event:{event.id}",
        ticket_id=ticket.id,
    )
    return [Delivery(ticket.service_partner_tenant_id, notice, DISPATCHERS)]


def _assigned(db: Session, event: EventView) -> list[Delivery]:
    ticket = db.get(Ticket, uuid.UUID(event.entity_id))
    tech_id = event.payload.get("technicianId")
    tech = db.get(Technician, uuid.UUID(tech_id)) if tech_id else None
    if ticket is None or tech is None:
        return []
    eta = event.payload.get("eta")
    stop = event.payload.get("stop")
    detail = ", ".join(
        part
        for part in (
            f"stop {stop} of your route" if stop else "",
            f"ETA {ist_text(eta, '%d %b %H:%M IST') or eta}" if eta else "",
            ticket.city or "",
        )
        if part
    )
    notice = Notice(
        "job_assigned",
        f"Assigned to you: #{ticket.number} ({ticket.priority})",
        detail or "A job is waiting for you",
        f"/tickets/{ticket.id}",
        key=f"event:{event.id}",
        ticket_id=ticket.id,
    )
    told = [Delivery(tech.tenant_id, notice, people=((tech.user_id, Role.TECHNICIAN.value),))]
    if event.payload.get("slottedIn"):  # urgent work slotted into the day: the hospital waits
        told.append(_engineer_coming(db, ticket, tech, eta, event))
    return told


def _engineer_coming(
    db: Session, ticket: Ticket, tech: Technician, eta: str | None, event: EventView
) -> Delivery:
    name = db.execute(
        text("SELECT nullif(full_name, '') FROM users WHERE id = :u"), {"u": tech.user_id}
    ).scalar()
    notice = Notice(
        "engineer_assigned",
        f"An engineer is on the way for #{ticket.number} ({ticket.priority})",
        f"{name or 'An engineer'} of {_name(db, tech.tenant_id)}"
        + (f", expected {ist_text(eta, '%d %b %H:%M IST')}" if eta else ""),
        f"/tickets/{ticket.id}",
        key=f"event:{event.id}:hospital",
        ticket_id=ticket.id,
    )
    return Delivery(ticket.tenant_id, notice, SERVICE_DESK_USERS)


def _offer_accepted(db: Session, event: EventView) -> list[Delivery]:
    rfq = db.get(Rfq, uuid.UUID(event.payload["rfqId"]))
    if rfq is None:
        return []
    oem_id = uuid.UUID(event.payload["oemId"])
    by_buyer = event.payload.get("side") == "buyer"
    sender, receiver = (rfq.tenant_id, oem_id) if by_buyer else (oem_id, rfq.tenant_id)
    agreed = f"agreed at {format_inr(int(event.payload.get('netPaise') or 0))} before GST"
    notice = Notice(
        "offer_accepted",
        f"{_name(db, sender)} accepted the offer on {rfq.label}",
        f"{agreed[:1].upper()}{agreed[1:]} as revision {event.payload.get('revision')}: "
        + ("the buyer can award it" if by_buyer else "award it to sign the contract"),
        f"/negotiation/{rfq.id}/{oem_id}",
        key=f"event:{event.id}",
    )
    return [Delivery(receiver, notice, SELLERS if by_buyer else BUYERS)]


def _called_out(db: Session, event: EventView) -> list[Delivery]:
    tech = db.get(Technician, uuid.UUID(event.entity_id))
    tickets = event.payload.get("ticketIds") or []
    if tech is None or not tickets:
        return []
    first = event.payload.get("firstEta")
    notice = Notice(
        "called_out",
        f"You are called out: {len(tickets)} job{'s' if len(tickets) != 1 else ''}",
        f"First stop ETA {ist_text(first, '%d %b %H:%M IST') or first}" if first else "",
        f"/tickets/{tickets[0]}",
        key=f"event:{event.id}",
    )
    return [Delivery(tech.tenant_id, notice, people=((tech.user_id, Role.TECHNICIAN.value),))]


def _oem_alerted(db: Session, event: EventView) -> list[Delivery]:
    oem = event.payload.get("oemTenantId")
    if not oem:
        return []
    model = event.payload.get("model") or "a device"
    notice = Notice(
        "p1_uncovered",
        f"P1 #{event.payload.get('number')} cannot be covered: {model}",
        f"{_name(db, uuid.UUID(event.tenant_id))} has no technician for it at "
        f"{event.payload.get('facility') or 'the site'}. {event.payload.get('reason') or ''}",
        f"/tickets/{event.entity_id}",
        key=f"event:{event.id}",
    )
    return [Delivery(uuid.UUID(oem), notice, SERVICE_DESK)]


def _p1_acknowledged(db: Session, event: EventView) -> list[Delivery]:
    notice = Notice(
        "p1_not_kept",
        "A plan was accepted that does not keep every P1",
        str(event.payload.get("message") or "")[:400],
        "/dispatch",
        key=f"event:{event.id}",
    )
    managers = frozenset({Role.OEM_SERVICE_MANAGER})
    return [Delivery(uuid.UUID(event.tenant_id), notice, managers)]


def _proposed(db: Session, event: EventView) -> list[Delivery]:
    fits = event.payload.get("fits")
    ticket = event.payload.get("ticket", "")
    notice = Notice(
        "dispatch_proposal",
        f"{ticket} slotted into today's routes: accept or reject"
        if fits
        else f"{ticket} does not fit today's routes",
        str(event.payload.get("text") or "")[:400],
        "/dispatch",
        key=f"event:{event.id}",
    )
    return [Delivery(uuid.UUID(event.tenant_id), notice, DISPATCHERS)]


ORDER_NEWS = {
    "shipped": ("order_shipped", "shipped by", "confirm delivery when it arrives"),
    "delivered": ("order_delivered", "delivered to", "the buyer confirmed receipt"),
    "installed": ("order_installed", "installed at", "the buyer signed off installation"),
}


def _order(db: Session, event: EventView) -> list[Delivery]:
    news = ORDER_NEWS.get(event.payload.get("to", ""))
    order = db.get(SalesOrder, uuid.UUID(event.entity_id)) if news else None
    if order is None:
        return []
    kind, verb, then = news
    shipped = kind == "order_shipped"
    other = order.seller_tenant_id if shipped else order.tenant_id
    notice = Notice(
        kind,
        f"{order.label} {verb} {_name(db, other)}",
        then[:1].upper() + then[1:],
        f"/orders?order={order.id}",
        key=f"event:{event.id}",
    )
    reader = order.tenant_id if shipped else order.seller_tenant_id
    return [Delivery(reader, notice, BUYERS if shipped else SUPPLIERS)]


def _renewal_due(db: Session, event: EventView) -> list[Delivery]:
    """Both sides of a service contract hear that it ends soon, once per threshold."""
    ends_on = date.fromisoformat(event.payload["endsOn"])
    notice = Notice(
        "contract_renewal",
        f"{event.payload['label']} ({event.payload['kind'].upper()}) ends in "
        f"{event.payload['daysLeft']} days",
        f"Ends on {ends_on:%d %b %Y}: ask for or send a renewal quote before it lapses",
        f"/contracts?id={event.entity_id}",
        key=f"renewal:{event.entity_id}:{event.payload['thresholdDays']}:{ends_on}",
    )
    return [
        Delivery(uuid.UUID(event.tenant_id), notice, CUSTOMERS),
        Delivery(uuid.UUID(event.payload["sellerId"]), notice, SUPPLIERS),
    ]


WHO: dict[str, Callable[[Session, EventView], list[Delivery]]] = {
    "RFQOpened": _rfq_opened,
    "QuoteSubmitted": _quote,
    "QuoteRevised": _quote,
    "CounterOffered": _counter,
    "TicketOpened": _ticket_opened,
    "DispatchAssigned": _assigned,
    "DispatchCalledOut": _called_out,
    "DispatchOemAlerted": _oem_alerted,
    "DispatchP1Acknowledged": _p1_acknowledged,
    "DispatchProposed": _proposed,
    "OfferAccepted": _offer_accepted,
    "OrderShipped": _order,
    "OrderStatusChanged": _order,
    "ContractRenewalDue": _renewal_due,
}


@subscriber("notify_people", events=WHO)
def notify_people(db: Session, event: EventView) -> None:
    """Write the notices `event` calls for, each in its reader's organisation."""
    for delivery in WHO[event.name](db, event):
        kind = db.execute(
            text("SELECT kind FROM tenant_directory() WHERE id = :t"), {"t": delivery.tenant_id}
        ).scalar_one()
        reader = system_actor(delivery.tenant_id, TenantKind(kind), "notifications")
        with tenant_session(reader) as own:
            if delivery.people:
                notify_users(own, delivery.tenant_id, list(delivery.people), delivery.notice)
            else:
                notify_role(own, delivery.tenant_id, delivery.roles, delivery.notice)
