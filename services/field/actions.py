"""What each event from the phone does on the server: a ticket transition, arrival at the
device, a note, a checklist answer, a part used, a photo, the customer's sign-off.

Each action gets the event (`FieldEvent`) and the context of the batch (`Context`) and
returns the id of what it made. It raises Invalid or NotFound when the event is wrong
(rejected) and Conflict when it no longer fits the ticket (kept for the dispatcher)."""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from services.actor import Actor
from services.columns import utcnow
from services.devices.registry import facility_location
from services.dispatch.models import Technician
from services.errors import Conflict, Invalid, NotFound
from services.field import checklist
from services.field.closing import close_job
from services.field.models import FieldVisit
from services.geo.distance import check_coordinates, haversine_m
from services.geo.models import HealthcareFacility
from services.parts.models import Part, PartReservation
from services.parts.service import consume_reserved
from services.qr.codes import read_label
from services.settings import get_settings
from services.tickets.models import Ticket
from services.tickets.service import add_comment, change_status
from services.uploads import PHOTO_BYTES, SizeLimit, photo_type

FIELD_STATUSES = ("en_route", "on_site", "in_progress", "resolved", "waiting_parts")
# The way a job normally goes; a phone that skipped a step offline is walked through it.
HAPPY_PATH = ("assigned", "en_route", "on_site", "in_progress", "resolved")
SIGNATURE_BYTES = 1024 * 1024
log = logging.getLogger("yantra.field")


@dataclass
class Context:
    """One batch's caller, and the rows it already locked (forgotten when an event fails,
    since its savepoint's rollback may have undone them)."""

    actor: Actor
    technician: Technician | None
    by_dispatcher: bool = False
    tickets: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)

    def forget(self) -> None:
        self.tickets.clear()
        self.visits.clear()


@dataclass
class FieldEvent:
    index: int
    key: uuid.UUID
    type: str
    ticket_id: uuid.UUID
    client_time: datetime
    payload: dict[str, Any]


def _text(payload: dict, name: str, limit: int, required: bool = True) -> str:
    value = payload.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise Invalid(f"payload.{name}", f"write it (up to {limit:,} characters)")
    return value.strip()


def ticket_for(db: Session, ctx: Context, ev: FieldEvent, own: bool = True) -> Ticket:
    """The event's ticket, locked. Conflict when `own` and the job is no longer the
    technician's (reassigned by the dispatcher meanwhile)."""
    ticket = ctx.tickets.get(ev.ticket_id) or db.get(Ticket, ev.ticket_id, with_for_update=True)
    if ticket is None:
        raise NotFound("No ticket with that id that you can see")
    ctx.tickets[ticket.id] = ticket
    mine = ctx.technician is not None and ticket.technician_id == ctx.technician.id
    if own and not ctx.by_dispatcher and not mine:
        raise Conflict("The job was reassigned to another technician meanwhile")
    return ticket


def visit_for(db: Session, ctx: Context, ticket: Ticket) -> FieldVisit:
    """The ticket's visit record, locked once per batch (made on the first event)."""
    if ticket.id in ctx.visits:
        return ctx.visits[ticket.id]
    visit = db.get(FieldVisit, ticket.id, with_for_update=True)
    if visit is None:
        visit = FieldVisit(
            ticket_id=ticket.id,
            tenant_id=ctx.actor.tenant_id,
            technician_user_id=ctx.actor.user_id,
        )
    visit.updated_at = utcnow()
    db.add(visit)
    ctx.visits[ticket.id] = visit
    return visit


def _path(current: str, target: str) -> list[str]:
    """The transitions from `current` to `target` along the job's normal way; [] when the
    ticket is already there."""
    if current == target:
        return []
    if current == "on_hold" and target in HAPPY_PATH[1:]:
        return ["in_progress", "resolved"] if target == "resolved" else [target]
    if target == "on_hold":
        return [target]
    if current in HAPPY_PATH and target in HAPPY_PATH:
        start, end = HAPPY_PATH.index(current), HAPPY_PATH.index(target)
        if end > start:
            return list(HAPPY_PATH[start + 1 : end + 1])
    raise Conflict(f"The ticket is {current.replace('_', ' ')} now; it cannot become {target}")


def change_ticket_status(db: Session, ctx: Context, ev: FieldEvent) -> uuid.UUID:
    """ticket.status: en_route, on_site (optionally with a check-in), in_progress,
    resolved (closes the job), or waiting_parts with a reason (the ticket goes on hold)."""
    status = ev.payload.get("status")
    if status not in FIELD_STATUSES:
        raise Invalid("payload.status", f"must be one of {', '.join(FIELD_STATUSES)}")
    reason = _text(ev.payload, "reason", 500) if status == "waiting_parts" else ""
    ticket = ticket_for(db, ctx, ev)
    if status == "on_site" and (ev.payload.get("qrPayload") or ev.payload.get("shortCode")):
        _record_arrival(db, ctx, ev, ticket)
    target = "on_hold" if status == "waiting_parts" else status
    note = f"Waiting for parts: {reason}" if reason else ""
    if status == "resolved" and ev.payload.get("resolution"):
        note = _text(ev.payload, "resolution", 2000)
    for step in _path(ticket.status, target):
        change_status(db, ctx.actor, ticket.id, step, note)
    visit = visit_for(db, ctx, ticket)
    if reason:
        visit.waiting_parts_reason, visit.waiting_parts_at = reason, ev.client_time
    elif visit.waiting_parts_reason and target != "on_hold":
        visit.waiting_parts_reason = None
    if status == "resolved":
        db.flush()
        close_job(db, ctx.actor, ticket, visit)
    return ticket.id


def check_in(db: Session, ctx: Context, ev: FieldEvent) -> uuid.UUID:
    """checkin: the label scanned or its short code typed at the device, with the position
    when the phone has one; an assigned or en-route job moves to on site."""
    ticket = ticket_for(db, ctx, ev)
    _record_arrival(db, ctx, ev, ticket)
    for step in _path(ticket.status, "on_site") if ticket.status in HAPPY_PATH[:2] else []:
        change_status(db, ctx.actor, ticket.id, step, "checked in at the device")
    return ticket.id


def _record_arrival(db: Session, ctx: Context, ev: FieldEvent, ticket: Ticket) -> None:
    typed = ev.payload.get("shortCode")
    field = "payload.shortCode" if typed else "payload.qrPayload"
    scanned = typed or ev.payload.get("qrPayload")
    if not isinstance(scanned, str) or not scanned.strip():
        raise Invalid("payload.qrPayload", "scan the device's label or type its short code")
    claim = read_label(db, scanned.strip(), field)
    if claim.device_id != ticket.equipment_id:
        raise Invalid(field, "this label is on another device; check in at this job's device")
    distance = _distance_to_site(db, ticket, ev.payload.get("position"))
    visit = visit_for(db, ctx, ticket)
    visit.checked_in_at = ev.client_time
    visit.check_in_method = "short_code" if typed else "qr"
    visit.check_in_distance_m = distance
    how = "label code typed" if typed else "label scanned"
    where = "no position" if distance is None else f"{distance:.0f} m from the site"
    add_comment(db, ctx.actor, ticket.id, f"Arrived at the device: {how}, {where}")


def _distance_to_site(db: Session, ticket: Ticket, position: Any) -> float | None:
    """Metres from the facility, or None without a position. Raises Invalid beyond the
    deployment proof radius, as a label scan for deployment is."""
    if not position:
        return None
    lat, lon = position_of(position)
    facility = db.get(HealthcareFacility, ticket.facility_id) if ticket.facility_id else None
    if facility is None:
        return None
    distance = haversine_m(lat, lon, *facility_location(db, facility))
    radius = get_settings().qr_deploy_radius_m
    if distance > radius:
        raise Invalid(
            "payload.position",
            f"you are {distance / 1000:.1f} km from {facility.name}; "
            f"check in at the device (within {radius:.0f} m)",
        )
    return distance


def position_of(position: Any) -> tuple[float, float]:
    """(lat, lon) of a payload's position. Raises Invalid("payload.position")."""
    if not isinstance(position, dict):
        raise Invalid("payload.position", "must be {lat, lon}")
    return check_coordinates(position.get("lat"), position.get("lon"), "payload.position")


def add_note(db: Session, ctx: Context, ev: FieldEvent) -> uuid.UUID:
    """ticket.note: a line on the ticket's timeline."""
    text = _text(ev.payload, "text", 4000)
    ticket = ticket_for(db, ctx, ev, own=False)
    return add_comment(db, ctx.actor, ticket.id, text).id


def record_step(db: Session, ctx: Context, ev: FieldEvent) -> tuple[uuid.UUID, str | None]:
    """checklist.step: one step's answer; a reading out of range is kept and flagged."""
    ticket = ticket_for(db, ctx, ev, own=False)
    visit = visit_for(db, ctx, ticket)
    return checklist.record(db, ctx.actor, ticket, visit, ev.payload, ev.client_time)


def use_part(db: Session, ctx: Context, ev: FieldEvent) -> uuid.UUID:
    """part.used: consume from what was reserved for the job."""
    ticket = ticket_for(db, ctx, ev, own=False)
    part_id = _part_id(db, ctx, ticket, ev.payload)
    qty = ev.payload.get("quantity", 1)
    return consume_reserved(db, ctx.actor, ticket.id, part_id, qty).id


def _part_id(db: Session, ctx: Context, ticket: Ticket, payload: dict) -> uuid.UUID:
    try:
        if payload.get("reservationId"):
            held = db.get(PartReservation, uuid.UUID(str(payload["reservationId"])))
            if held is None or held.ticket_id != ticket.id:
                raise NotFound("No such reservation for this job")
            return held.part_id
        if payload.get("partId"):
            return uuid.UUID(str(payload["partId"]))
    except ValueError as exc:
        raise Invalid("payload.partId", "is not an id") from exc
    code = str(payload.get("sku") or "").strip()
    if not code:
        raise Invalid("payload.partId", "say which part: reservationId, partId or sku")
    part = db.exec(
        select(Part).where(Part.tenant_id == ctx.actor.tenant_id, Part.code == code)
    ).first()
    if part is None:
        raise NotFound(f"No part {code!r} in your catalogue")
    return part.id


def _image(payload: dict, name: str, limit: int, what: str) -> bytes:
    raw = payload.get(name)
    if not isinstance(raw, str) or not raw:
        raise Invalid(f"payload.{name}", f"the {what} is missing")
    if len(raw) > limit * 4 // 3 + 8:
        SizeLimit(limit, what).take(b"\0" * (limit + 1))  # raises TooLarge, saying the cap
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid(f"payload.{name}", "is not base64") from exc


def add_photo(db: Session, ctx: Context, ev: FieldEvent) -> uuid.UUID:
    """photo.added: a JPEG, PNG or WebP of at most 8 MB on the ticket (and on a photo step
    when `stepId` names one)."""
    data = _image(ev.payload, "dataBase64", PHOTO_BYTES, "photo")
    name = str(ev.payload.get("fileName") or "photo.jpg")[:200]
    ticket = ticket_for(db, ctx, ev, own=False)
    event = add_comment(db, ctx.actor, ticket.id, "Photo from the field", (name, "", data))
    if ev.payload.get("stepId"):
        visit = visit_for(db, ctx, ticket)
        answer = {"stepId": ev.payload["stepId"], "value": "photo", "photo": str(event.id)}
        try:
            with db.begin_nested():
                checklist.record(db, ctx.actor, ticket, visit, answer, ev.client_time)
        except (Invalid, NotFound):  # the photo is kept on the ticket all the same
            log.info("photo %s names no step of the job's checklist", event.id)
    return event.id


def sign_off(db: Session, ctx: Context, ev: FieldEvent) -> uuid.UUID:
    """signoff: the customer's name and their signature drawn on the screen (PNG)."""
    signer = _text(ev.payload, "signerName", 200)
    png = _image(ev.payload, "signaturePng", SIGNATURE_BYTES, "signature")
    if photo_type(png) != "image/png":
        raise Invalid("payload.signaturePng", "must be a PNG image")
    ticket = ticket_for(db, ctx, ev, own=False)
    visit = visit_for(db, ctx, ticket)
    visit.signer_name, visit.signature, visit.signed_at = signer, png, ev.client_time
    add_comment(db, ctx.actor, ticket.id, f"Signed off by {signer}")
    return ticket.id


ACTIONS = {
    "ticket.status": change_ticket_status,
    "checkin": check_in,
    "ticket.note": add_note,
    "checklist.step": record_step,
    "part.used": use_part,
    "photo.added": add_photo,
    "signoff": sign_off,
}
