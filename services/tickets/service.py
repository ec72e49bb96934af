"""Opening tickets, moving them through the status machine, and reading them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import (
    SERVICE_TEAM,
    TICKET_CANCELLERS,
    TICKET_CLOSERS,
    TICKET_OPENERS,
    TICKET_VIEWERS,
)
from services.devices.models import Equipment
from services.errors import Invalid, NotFound
from services.events.service import emit
from services.sla import service as sla
from services.sla.models import SlaPolicy
from services.tickets.machine import RESPONDED, check_transition
from services.tickets.models import Ticket, TicketEvent

SOURCES = (
    "portal",
    "qr_scan",
    "api",
    "whatsapp",
    "telemetry",
    "lab",
    "qr",
    "prediction",
    "preventive",
)
# Who may set each status: the service side works the ticket, the customer closes it.
SETTERS = {"closed": TICKET_CLOSERS, "reopened": TICKET_CLOSERS, "cancelled": TICKET_CANCELLERS}


def _service_partner(db: Session, actor: Actor, device: Equipment) -> uuid.UUID:
    """Who services the device: the acting partner, the partner the owner granted the
    device to, else its manufacturer."""
    if actor.tenant_kind == TenantKind.SERVICE_PARTNER:
        return actor.tenant_id
    row = db.execute(
        text(
            "SELECT g.grantee_tenant_id FROM access_grant g JOIN tenant_directory() d "
            "ON d.id = g.grantee_tenant_id WHERE g.tenant_id = :owner AND g.entity_type = "
            "'equipment' AND (g.entity_id IS NULL OR g.entity_id = :device) "
            "AND d.kind = 'service_partner' ORDER BY g.entity_id NULLS LAST LIMIT 1"
        ),
        {"owner": device.tenant_id, "device": device.id},
    ).first()
    return row[0] if row else device.manufacturer_tenant_id


def open_ticket(
    db: Session,
    actor: Actor,
    device_id: uuid.UUID,
    priority: str,
    error_code: str | None,
    description: str,
    source: str = "portal",
) -> Ticket:
    """Open a ticket on a device and start its SLA clocks; emits TicketOpened.

    Raises Forbidden, Invalid (priority, source, description) or NotFound (device).
    """
    actor.require(*TICKET_OPENERS)
    if priority not in sla.PRIORITIES:
        raise Invalid("priority", "must be P1, P2, P3 or P4")
    if source not in SOURCES:
        raise Invalid("source", f"must be one of {', '.join(SOURCES)}")
    description = (description or "").strip()
    if not description or len(description) > 4000:
        raise Invalid("description", "say what is wrong (up to 4,000 characters)")
    device = db.get(Equipment, device_id)
    if device is None:
        raise NotFound("No device with that id that you can see")
    partner = _service_partner(db, actor, device)
    policy = sla.find_policy(db, partner, device.current_sla)
    city = None
    if device.facility_id:
        city = db.execute(
            text(
                "SELECT p.city FROM healthcare_facilities f JOIN indian_pincodes p "
                "ON p.pincode = f.pincode WHERE f.id = :f"
            ),
            {"f": device.facility_id},
        ).scalar()
    now = utcnow()
    ticket = Ticket(
        tenant_id=device.tenant_id,
        equipment_id=device.id,
        facility_id=device.facility_id,
        service_partner_tenant_id=partner,
        contract_id=device.contract_id,
        sla_policy_id=policy.id if policy else None,
        city=city,
        priority=priority,
        status="open",
        source=source,
        error_code=(error_code or "").strip()[:40] or None,
        description=description,
        opened_at=now,
        updated_at=now,
    )
    sla.start_clocks(ticket, policy, device.current_sla, now)
    db.add(ticket)
    db.flush()
    _event(db, actor, ticket, "opened", None, "open", f"{priority} via {source}")
    audit.record(db, actor, "ticket.open", "ticket", ticket.id, f"{priority} ticket opened")
    emit(db, actor, "TicketOpened", "ticket", ticket.id, {"priority": priority, "source": source})
    return ticket


def _event(
    db: Session,
    actor: Actor,
    ticket: Ticket,
    kind: str,
    old: str | None,
    new: str | None,
    note: str = "",
) -> None:
    db.add(
        TicketEvent(
            tenant_id=actor.tenant_id,
            ticket_id=ticket.id,
            kind=kind,
            from_status=old,
            to_status=new,
            actor_id=actor.user_id,
            actor_label=actor.label,
            note=note[:2000],
        )
    )


def change_status(
    db: Session, actor: Actor, ticket_id: uuid.UUID, new: str, note: str = ""
) -> Ticket:
    """Move a ticket; raises Conflict (with the allowed statuses), Forbidden or NotFound."""
    actor.require(*TICKET_VIEWERS)
    ticket = db.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None:
        raise NotFound("No ticket with that id that you can see")
    old = ticket.status
    check_transition(old, new)
    if new in SETTERS:
        actor.require(*SETTERS[new])
    else:
        actor.require(*SERVICE_TEAM)
    policy = db.get(SlaPolicy, ticket.sla_policy_id) if ticket.sla_policy_id else None
    now = utcnow()
    if old == "on_hold":
        sla.resume_clocks(ticket, policy, now)
    if new == "on_hold":
        sla.pause_clocks(ticket, policy, now)
    if new in RESPONDED and ticket.responded_at is None:
        ticket.responded_at = now
    if new == "resolved":
        ticket.resolved_at = now
        ticket.penalty_paise = sla.penalty_paise(ticket, policy, now)
    if new == "reopened":
        ticket.resolved_at = None
    if new == "closed":
        ticket.closed_at = now
    ticket.status, ticket.updated_at = new, now
    db.add(ticket)
    _event(db, actor, ticket, "status", old, new, note)
    audit.record(db, actor, "ticket.status", "ticket", ticket.id, f"{old} -> {new}")
    emit(db, actor, "TicketStatusChanged", "ticket", ticket.id, {"from": old, "to": new})
    return ticket


def get_ticket(db: Session, ticket_id: uuid.UUID) -> dict[str, Any]:
    """A ticket with its timeline, SLA deadlines and penalty. Raises NotFound."""
    ticket = db.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("No ticket with that id that you can see")
    policy = db.get(SlaPolicy, ticket.sla_policy_id) if ticket.sla_policy_id else None
    events = db.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.created_at)
    )
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "ticketId": str(ticket.id),
        "number": ticket.number,
        "status": ticket.status,
        "priority": ticket.priority,
        "source": ticket.source,
        "errorCode": ticket.error_code,
        "description": ticket.description,
        "deviceId": str(ticket.equipment_id or ""),
        "facilityId": str(ticket.facility_id or ""),
        "city": ticket.city,
        "contractId": str(ticket.contract_id) if ticket.contract_id else None,
        "openedAt": iso(ticket.opened_at),
        "updatedAt": iso(ticket.updated_at),
        "sla": {
            "policy": policy.name if policy else "default targets",
            "responseDueAt": iso(ticket.response_due_at),
            "resolutionDueAt": iso(ticket.resolution_due_at),
            "paused": ticket.status == "on_hold",
            "respondedAt": iso(ticket.responded_at),
            "resolvedAt": iso(ticket.resolved_at),
            "responseBreachedAt": iso(ticket.response_breached_at),
            "resolutionBreachedAt": iso(ticket.resolution_breached_at),
            "escalationLevel": ticket.escalation_level,
        },
        "penaltyPaise": ticket.penalty_paise or sla.penalty_paise(ticket, policy, utcnow()),
        "history": [
            {
                "at": iso(e.created_at),
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "by": e.actor_label,
                "note": e.note,
            }
            for e in events
        ],
    }


def add_comment(
    db: Session,
    actor: Actor,
    ticket_id: uuid.UUID,
    body: str,
    photo: tuple[str, str, bytes] | None = None,
) -> TicketEvent:
    """A comment (and optionally a photo: name, content type, bytes) on a ticket.

    Raises Invalid (empty comment, photo whose content is not a JPEG, PNG or WebP image),
    TooLarge (photo over 8 MB) or NotFound."""
    from services.tickets.models import TicketAttachment

    body = (body or "").strip()
    if not body and photo is None:
        raise Invalid("body", "write a comment or attach a photo")
    ticket = db.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("No ticket with that id that you can see")
    if photo is not None:
        from services.uploads import PHOTO_BYTES, SizeLimit, photo_type

        SizeLimit(PHOTO_BYTES, "photo").take(photo[2])
        photo = (photo[0], photo_type(photo[2]), photo[2])  # the type its content shows
    event = TicketEvent(
        tenant_id=actor.tenant_id,
        ticket_id=ticket.id,
        kind="comment",
        actor_id=actor.user_id,
        actor_label=actor.label,
        note=body[:4000],
    )
    db.add(event)  # its id is made here: a comment alone waits on no round trip
    if photo is not None:
        db.flush()  # the event's row first, for the attachment's reference
        db.add(
            TicketAttachment(
                tenant_id=actor.tenant_id,
                ticket_id=ticket.id,
                event_id=event.id,
                file_name=photo[0][:200],
                content_type=photo[1],
                data=photo[2],
            )
        )
    audit.record(
        db,
        actor,
        "ticket.comment",
        "ticket",
        ticket.id,
        "photo added" if photo else "comment added",
    )
    return event
