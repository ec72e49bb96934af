"""A technician's day: the stops of the accepted dispatch plan in route order, with what the
phone needs at each one (site, device, fault, parts held, checklist)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, Role
from services.common.clock import IST
from services.dispatch.models import DispatchPlan, Technician
from services.errors import Forbidden, NotFound
from services.field.models import FieldVisit, FieldWorkflow
from services.field.workflows import workflow_for

HIDDEN_STATUSES = ("cancelled", "closed")
RECENT_PLANS = 30

_STOP_DETAILS = text("""
    SELECT t.id, t.number, t.priority, t.status, t.error_code, t.description,
           t.technician_id, t.responded_at, t.response_due_at, t.resolution_due_at,
           e.id AS device_id, e.serial_number, e.manufacturer_tenant_id,
           s.name AS model, s.category AS device_type,
           f.id AS facility_id, f.name AS facility, f.address, f.pincode, f.contact_info,
           coalesce(f.latitude, p.latitude) AS lat, coalesce(f.longitude, p.longitude) AS lon
      FROM ticket t
      LEFT JOIN equipment e ON e.id = t.equipment_id
      LEFT JOIN sku s ON s.id = e.sku_id
      LEFT JOIN healthcare_facilities f ON f.id = t.facility_id
      LEFT JOIN indian_pincodes p ON p.pincode = f.pincode
     WHERE t.id = ANY(:ids)""")

_PARTS = text("""
    SELECT r.id, r.ticket_id, r.part_id, r.qty, r.status, p.code, p.name
      FROM part_reservation r JOIN part p ON p.id = r.part_id
     WHERE r.ticket_id = ANY(:ids) AND r.status IN ('reserved', 'consumed')
     ORDER BY p.code""")


def technician_of(db: Session, actor: Actor) -> Technician:
    """The acting technician's record. Raises Forbidden for anyone else, NotFound when the
    account has no technician record in its organisation."""
    if Role.TECHNICIAN not in actor.roles:
        raise Forbidden("Only a technician has a day of jobs")
    tech = db.exec(select(Technician).where(Technician.user_id == actor.user_id)).first()
    if tech is None:
        raise NotFound("Your account is not set up as a technician yet; ask your dispatcher")
    return tech


def _ist_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(IST).date()


def route_for(db: Session, tech: Technician, day: date) -> tuple[DispatchPlan | None, list]:
    """The newest accepted plan with stops for `tech` on `day`, and those stops."""
    plans = db.exec(
        select(DispatchPlan)
        .where(DispatchPlan.status == "accepted")
        .order_by(DispatchPlan.accepted_at.desc())
        .limit(RECENT_PLANS)
    )
    for plan in plans:
        for route in plan.routes:
            if route.get("technicianId") != str(tech.id):
                continue
            stops = [s for s in route.get("stops", []) if _ist_day(s["eta"]) == day]
            if stops:
                return plan, stops
    return None, []


def my_jobs(db: Session, actor: Actor, day: date) -> dict[str, Any]:
    """The technician's stops on `day` (IST) from the newest accepted plan, in route order,
    leaving out tickets reassigned since, cancelled or closed. Raises Forbidden, NotFound."""
    tech = technician_of(db, actor)
    plan, stops = route_for(db, tech, day)
    ids = [uuid.UUID(s["ticketId"]) for s in stops]
    details = {r.id: r for r in db.execute(_STOP_DETAILS, {"ids": ids})}
    parts: dict[uuid.UUID, list] = {}
    for r in db.execute(_PARTS, {"ids": ids}):
        parts.setdefault(r.ticket_id, []).append(r)
    visits = {
        v.ticket_id: v for v in db.exec(select(FieldVisit).where(FieldVisit.ticket_id.in_(ids)))
    }
    jobs = []
    for stop in stops:
        row = details.get(uuid.UUID(stop["ticketId"]))
        if row is None or row.technician_id != tech.id or row.status in HIDDEN_STATUSES:
            continue
        visit = visits.get(row.id)
        workflow = _workflow(db, row, visit, actor)
        jobs.append(_job(row, stop, len(jobs) + 1, parts.get(row.id, []), visit, workflow))
    return {
        "date": day.isoformat(),
        "planId": str(plan.id) if plan else None,
        "technician": {"id": str(tech.id), "name": _name(db, tech)},
        "jobs": jobs,
    }


def _name(db: Session, tech: Technician) -> str:
    return (
        db.execute(
            text("SELECT full_name FROM users WHERE id = :u"), {"u": tech.user_id}
        ).scalar_one_or_none()
        or ""
    )


def _workflow(db: Session, row, visit: FieldVisit | None, actor: Actor) -> FieldWorkflow | None:
    if visit is not None and visit.workflow_id is not None:
        return db.get(FieldWorkflow, visit.workflow_id)
    return workflow_for(db, row.device_type, (actor.tenant_id, row.manufacturer_tenant_id))


def sla_deadline(row) -> datetime | None:
    """The clock the technician races: response until someone responded, then resolution;
    none while the ticket is on hold (its clocks are paused)."""
    if row.status == "on_hold":
        return None
    return row.response_due_at if row.responded_at is None else row.resolution_due_at


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _job(row, stop: dict, order: int, parts: list, visit, workflow) -> dict[str, Any]:
    waiting = visit is not None and row.status == "on_hold" and visit.waiting_parts_reason
    contact = row.contact_info or {}
    return {
        "ticketId": str(row.id),
        "number": row.number,
        "stop": order,
        "priority": row.priority,
        "status": "waiting_parts" if waiting else row.status,
        "slaDeadline": _iso(sla_deadline(row)),
        "eta": stop.get("eta"),
        "fault": " · ".join(x for x in (row.error_code, row.description) if x),
        "errorCode": row.error_code,
        "facility": {
            "id": str(row.facility_id) if row.facility_id else None,
            "name": row.facility or stop.get("facility") or "",
            "address": row.address or "",
            "pincode": row.pincode,
            "lat": row.lat,
            "lon": row.lon,
            "contactPhone": contact.get("phone"),
        },
        "device": {
            "id": str(row.device_id) if row.device_id else None,
            "type": row.device_type,
            "model": row.model,
            "serial": row.serial_number,
        },
        "partsReserved": [
            {
                "reservationId": str(p.id),
                "partId": str(p.part_id),
                "sku": p.code,
                "name": p.name,
                "quantity": p.qty,
                "status": p.status,
            }
            for p in parts
        ],
        "checkedIn": _checked_in(visit),
        "waitingParts": {"reason": visit.waiting_parts_reason, "at": _iso(visit.waiting_parts_at)}
        if waiting
        else None,
        "workflow": _workflow_json(workflow),
    }


def _checked_in(visit: FieldVisit | None) -> dict | None:
    if visit is None or visit.checked_in_at is None:
        return None
    return {
        "at": _iso(visit.checked_in_at),
        "method": visit.check_in_method,
        "distanceM": None
        if visit.check_in_distance_m is None
        else round(visit.check_in_distance_m),
    }


def _workflow_json(w: FieldWorkflow | None) -> dict | None:
    if w is None:
        return None
    return {
        "id": str(w.id),
        "key": w.key,
        "version": w.version,
        "name": w.name,
        "deviceType": w.device_type,
        "steps": w.steps,
    }
