"""Facilities and laboratories that a caller may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from services.actor import Actor
from services.geo.models import HealthcareFacility, IndianPincode, Laboratory


def facility_code(facility: HealthcareFacility) -> str:
    """The short code people use for a facility in files and on screens: its own external
    id when it has one, else the first eight characters of its id in capitals."""
    return facility.external_id or facility.id.hex[:8].upper()


def list_facilities(
    db: Session, actor: Actor, *, scope: str = "mine", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Facilities visible to the actor. `scope`: 'mine' (own and shared with the actor's
    organisation) or 'all' (also the public directory)."""
    stmt = select(HealthcareFacility, IndianPincode).join(
        IndianPincode, IndianPincode.pincode == HealthcareFacility.pincode
    )
    if scope == "mine":
        stmt = stmt.where(or_(HealthcareFacility.tenant_id.is_not(None)))
    stmt = stmt.order_by(IndianPincode.city, HealthcareFacility.name).offset(offset).limit(limit)
    return [
        {
            "id": str(f.id),
            "code": facility_code(f),
            "name": f.name,
            "address": f.address,
            "pincode": f.pincode,
            "city": p.city,
            "state": p.state,
            "facilityType": f.facility_type,
            "bedCount": f.bed_count,
            "specialties": list(f.specialties),
            "owned": f.tenant_id == actor.tenant_id,
        }
        for f, p in db.exec(stmt)
    ]


def list_laboratories(db: Session, limit: int = 50) -> list[Laboratory]:
    return list(db.exec(select(Laboratory).order_by(Laboratory.name).limit(limit)))


def find_facilities(db: Session, query: str, limit: int = 8) -> list[dict[str, Any]]:
    """Facilities the caller may see whose name, city or pincode matches `query`: the
    organisation's own and shared sites first, then the public directory."""
    needle = (query or "").strip()
    if not needle:
        return []
    stmt = (
        select(HealthcareFacility, IndianPincode)
        .join(IndianPincode, IndianPincode.pincode == HealthcareFacility.pincode)
        .where(
            or_(
                HealthcareFacility.name.ilike(f"%{needle}%"),
                IndianPincode.city.ilike(f"{needle}%"),
                HealthcareFacility.pincode.startswith(needle),
            )
        )
        .order_by(HealthcareFacility.tenant_id.is_(None), HealthcareFacility.name)
        .limit(limit)
    )
    return [
        {
            "id": str(f.id),
            "name": f.name,
            "city": p.city,
            "pincode": f.pincode,
            "shared": f.tenant_id is not None,
        }
        for f, p in db.exec(stmt)
    ]
