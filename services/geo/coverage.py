"""Service areas (a provider's hubs and the pincodes each covers), the technicians mapped
to them, and the coverage check: is a pincode covered for a device type, by which hub,
how fast and by how many free technicians.

Response time = mobilisation + road distance / speed, where road distance is the
great-circle distance from the hub to the pincode's centroid times a road factor and
the speed depends on the city tier of the destination (metro traffic is slowest). The
dispatch travel model refines this per time of day; these averages are what a coverage
promise is made on.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, Role
from services.audit import service as audit
from services.common.roles import SERVICE_PLANNERS
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.geo.distance import haversine_m, haversine_sql
from services.geo.models import ServiceArea, TechnicianCoverage
from services.geo.pincodes import PINCODE, get_pincode
from services.geo.vocab import DEVICE_TYPES, city_tier
from services.identity.models import User

ROAD_FACTOR = 1.35
SPEED_KMH = {1: 22.0, 2: 30.0, 3: 40.0}
MOBILISATION_HOURS = 0.5
MAX_AREA_RADIUS_KM = 300.0


def estimate_response_hours(distance_km: float, tier: int) -> float:
    """Hours from a hub to a site `distance_km` away (great circle) in a city of `tier`."""
    return MOBILISATION_HOURS + distance_km * ROAD_FACTOR / SPEED_KMH[tier]


def check_device_type(value: object) -> str:
    """The canonical spelling of a device type (case-insensitive). Raises Invalid."""
    wanted = str(value or "").strip().lower()
    for known in DEVICE_TYPES:
        if known.lower() == wanted:
            return known
    raise Invalid("deviceType", f"unknown device type '{value}'; known: {', '.join(DEVICE_TYPES)}")


def check_coverage(
    db: Session, pincode: object, device_type: object, provider_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """Whether a service area covers the pincode for the device type; the best hub (most
    free technicians, then fastest) with its estimated response time. Not covered when no
    area lists the pincode, no technician there knows the device type, or the estimate
    exceeds the hub's promise; `reason` says which. Raises Invalid or NotFound."""
    place = get_pincode(db, str(pincode or ""))
    dtype = check_device_type(device_type)
    tier = city_tier(place.pincode, place.city)
    areas = (
        db.execute(
            text("""
        SELECT a.id, a.tenant_id, a.name, a.hub_latitude, a.hub_longitude,
               a.max_response_time_hours, t.name AS provider,
               count(c.id) AS skilled,
               count(c.id) FILTER (WHERE coalesce(c.availability->>'status', 'available')
                                   = 'available') AS free
          FROM service_areas a JOIN tenant_directory() t ON t.id = a.tenant_id
          LEFT JOIN technician_coverage c ON c.service_area_id = a.id
               AND c.specialties @> jsonb_build_array(CAST(:dtype AS text))
         WHERE a.covered_pincodes @> jsonb_build_array(CAST(:pincode AS text))
           AND (CAST(:provider AS uuid) IS NULL OR a.tenant_id = :provider)
         GROUP BY a.id, t.name"""),
            {"pincode": place.pincode, "dtype": dtype, "provider": provider_id},
        )
        .mappings()
        .all()
    )
    answer = {
        "covered": False,
        "pincode": place.pincode,
        "city": place.city,
        "deviceType": dtype,
        "serviceHubId": None,
        "serviceHubName": None,
        "serviceProviderId": None,
        "serviceProvider": None,
        "estimatedResponseTime": None,
        "distanceKm": None,
        "techniciansAvailable": 0,
        "techniciansSkilled": 0,
    }
    if not areas:
        return answer | {"reason": f"No service area covers {place.pincode}"}
    options = []
    for area in areas:
        km = (
            haversine_m(
                area["hub_latitude"], area["hub_longitude"], place.latitude, place.longitude
            )
            / 1000
        )
        options.append((area, km, estimate_response_hours(km, tier)))
    promising = [o for o in options if o[0]["skilled"] and o[2] <= o[0]["max_response_time_hours"]]
    if not promising:
        return answer | {"reason": _why_not(options, dtype)}
    area, km, hours = min(promising, key=lambda o: (-o[0]["free"], o[2]))
    return answer | {
        "covered": True,
        "serviceHubId": str(area["id"]),
        "serviceHubName": area["name"],
        "serviceProviderId": str(area["tenant_id"]),
        "serviceProvider": area["provider"],
        "estimatedResponseTime": round(hours, 1),
        "distanceKm": round(km, 1),
        "techniciansAvailable": int(area["free"]),
        "techniciansSkilled": int(area["skilled"]),
        "reason": (
            f"{area['name']}: {area['free']} of {area['skilled']} {dtype} "
            f"{_people(area['skilled'])} free, about {hours:.1f} h away"
            if area["free"]
            else f"{area['name']} covers it, but its {area['skilled']} "
            f"{dtype} {_people(area['skilled'])} {'is' if area['skilled'] == 1 else 'are'}"
            " busy"
        ),
    }


def _people(count: int) -> str:
    return "technician" if count == 1 else "technicians"


def _why_not(options: list, dtype: str) -> str:
    skilled = [o for o in options if o[0]["skilled"]]
    if not skilled:
        names = ", ".join(o[0]["name"] for o in options)
        return f"{names} cover{'s' if len(options) == 1 else ''} it, but no {dtype} technician"
    area, _km, hours = min(skilled, key=lambda o: o[2])
    return (
        f"{area['name']} is about {hours:.1f} h away, beyond its "
        f"{area['max_response_time_hours']:g} h promise"
    )


def pincodes_within(db: Session, latitude: float, longitude: float, radius_km: float) -> list[str]:
    """Pincodes whose centroid lies within `radius_km` of a point."""
    return list(
        db.execute(
            text(f"""
        SELECT pincode FROM indian_pincodes
         WHERE {haversine_sql()} <= :radius ORDER BY pincode"""),
            {"lat": latitude, "lng": longitude, "radius": radius_km * 1000},
        ).scalars()
    )


def _check_pincodes(db: Session, pincodes: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(str(p).strip() for p in pincodes if str(p).strip()))
    malformed = [p for p in cleaned if not PINCODE.match(p)]
    if malformed:
        raise Invalid("pincodes", f"not six-digit pincodes: {', '.join(malformed[:10])}")
    known = set(
        db.execute(
            text("SELECT pincode FROM indian_pincodes WHERE pincode = ANY(:p)"), {"p": cleaned}
        ).scalars()
    )
    unknown = [p for p in cleaned if p not in known]
    if unknown:
        raise Invalid("pincodes", f"India Post has no pincode {', '.join(unknown[:10])}")
    return cleaned


def save_service_area(
    db: Session,
    actor: Actor,
    *,
    name: str,
    hub_pincode: str,
    max_response_time_hours: object,
    radius_km: object = None,
    pincodes: list[str] | None = None,
    area_id: uuid.UUID | None = None,
) -> ServiceArea:
    """Create or change a hub of the actor's organisation. The area covers the pincodes
    listed plus every pincode within `radius_km` of the hub. Raises Invalid, NotFound,
    Forbidden (not a service editor) or Conflict (name taken)."""
    if not actor.roles & SERVICE_PLANNERS:
        raise Forbidden("only a service manager, OEM admin or dispatcher edits service areas")
    name = (name or "").strip()
    if not 2 <= len(name) <= 120:
        raise Invalid("name", "give the hub a name of 2 to 120 characters")
    hub = _hub(db, hub_pincode)
    try:
        hours = float(max_response_time_hours)
    except (TypeError, ValueError) as exc:
        raise Invalid("maxResponseTimeHours", "must be a number of hours") from exc
    if not 0 < hours <= 72:
        raise Invalid("maxResponseTimeHours", "must be above 0 and at most 72 hours")
    radius = None
    if radius_km not in (None, ""):
        try:
            radius = float(radius_km)
        except (TypeError, ValueError) as exc:
            raise Invalid("radiusKm", "must be a number of kilometres") from exc
        if not 0 < radius <= MAX_AREA_RADIUS_KM:
            raise Invalid("radiusKm", f"must be above 0 and at most {MAX_AREA_RADIUS_KM:g} km")
    listed = _check_pincodes(db, pincodes or [])
    covered = set(listed) | ({hub.pincode} if not listed and radius is None else set())
    if radius is not None:
        covered |= set(pincodes_within(db, hub.latitude, hub.longitude, radius))
    clash = db.exec(
        select(ServiceArea).where(
            ServiceArea.tenant_id == actor.tenant_id, ServiceArea.name == name
        )
    ).first()
    if clash is not None and clash.id != area_id:
        raise Conflict(f"your organisation already has a service area named '{name}'")
    area = (
        ServiceArea(tenant_id=actor.tenant_id) if area_id is None else _own_area(db, actor, area_id)
    )
    area.name, area.hub_pincode = name, hub.pincode
    area.hub_latitude, area.hub_longitude = hub.latitude, hub.longitude
    area.covered_pincodes, area.radius_km = sorted(covered), radius
    area.max_response_time_hours = hours
    db.add(area)
    db.flush()
    verb = "create" if area_id is None else "update"
    summary = (
        f"hub at {hub.pincode} covering {len(covered)} pincodes"
        + (f" (radius {radius:g} km)" if radius else "")
        + f", promise {hours:g} h"
    )
    audit.record(db, actor, f"service_area.{verb}", "service_area", area.id, summary)
    emit(
        db,
        actor,
        "ServiceAreaSaved",
        "service_area",
        area.id,
        {
            "name": name,
            "hubPincode": hub.pincode,
            "pincodes": len(covered),
            "radiusKm": radius,
            "maxResponseTimeHours": hours,
        },
    )
    return area


def _hub(db: Session, pincode: object):
    value = str(pincode or "").strip()
    if not PINCODE.match(value):
        raise Invalid("hubPincode", "must be six digits, not starting with 0")
    try:
        return get_pincode(db, value)
    except NotFound as exc:
        raise Invalid("hubPincode", f"India Post has no pincode {value}") from exc


def _own_area(db: Session, actor: Actor, area_id: uuid.UUID) -> ServiceArea:
    area = db.get(ServiceArea, area_id)
    if area is None or area.tenant_id != actor.tenant_id:
        raise NotFound(f"No service area {area_id}")
    return area


def delete_service_area(db: Session, actor: Actor, area_id: uuid.UUID) -> None:
    """Remove a hub of the actor's organisation and its technician mapping."""
    if not actor.roles & SERVICE_PLANNERS:
        raise Forbidden("only a service manager, OEM admin or dispatcher edits service areas")
    area = _own_area(db, actor, area_id)
    for mapping in db.exec(
        select(TechnicianCoverage).where(TechnicianCoverage.service_area_id == area.id)
    ):
        db.delete(mapping)
    audit.record(db, actor, "service_area.delete", "service_area", area.id, area.name)
    db.delete(area)


AVAILABILITY = ("available", "busy", "off")


def map_technician(
    db: Session,
    actor: Actor,
    area_id: uuid.UUID,
    technician_id: uuid.UUID,
    specialties: list[str],
    status: str = "available",
    shift: str = "09:00-18:00",
) -> TechnicianCoverage:
    """Map one of the organisation's technicians to its hub with the device types they
    service and whether they are free now; mapping again replaces the old entry. Raises
    Forbidden, NotFound (hub or technician not of this organisation) or Invalid."""
    if not actor.roles & SERVICE_PLANNERS:
        raise Forbidden("only a service manager, OEM admin or dispatcher maps technicians")
    area = _own_area(db, actor, area_id)
    user = db.get(User, technician_id)
    if user is None or user.tenant_id != actor.tenant_id or Role.TECHNICIAN.value not in user.roles:
        raise NotFound(f"No technician {technician_id} in your organisation")
    skills = list(dict.fromkeys(check_device_type(s) for s in specialties))
    if not skills:
        raise Invalid("specialties", "name at least one device type the technician services")
    if status not in AVAILABILITY:
        raise Invalid("status", f"use one of {', '.join(AVAILABILITY)}")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", shift or ""):
        raise Invalid("shift", "write the shift as HH:MM-HH:MM, e.g. 09:00-18:00")
    mapping = db.exec(
        select(TechnicianCoverage).where(
            TechnicianCoverage.service_area_id == area.id,
            TechnicianCoverage.technician_id == user.id,
        )
    ).first()
    mapping = mapping or TechnicianCoverage(
        tenant_id=actor.tenant_id, technician_id=user.id, service_area_id=area.id
    )
    mapping.specialties = skills
    mapping.availability = {"status": status, "shift": shift}
    db.add(mapping)
    db.flush()
    audit.record(
        db,
        actor,
        "service_area.technician",
        "service_area",
        area.id,
        f"{user.full_name or user.email}: {', '.join(skills)} ({status})",
    )
    return mapping


def list_service_areas(db: Session, provider_id: uuid.UUID | None = None) -> list[dict]:
    """Hubs (of one provider, or every provider) with their technicians by device type."""
    rows = (
        db.execute(
            text("""
        SELECT a.id, a.tenant_id, t.name AS provider, a.name, a.hub_pincode, a.hub_latitude,
               a.hub_longitude, a.radius_km, a.max_response_time_hours,
               jsonb_array_length(a.covered_pincodes) AS pincodes,
               count(c.id) AS technicians,
               count(c.id) FILTER (WHERE coalesce(c.availability->>'status', 'available')
                                   = 'available') AS free
          FROM service_areas a JOIN tenant_directory() t ON t.id = a.tenant_id
          LEFT JOIN technician_coverage c ON c.service_area_id = a.id
         WHERE CAST(:provider AS uuid) IS NULL OR a.tenant_id = :provider
         GROUP BY a.id, t.name ORDER BY t.name, a.name"""),
            {"provider": provider_id},
        )
        .mappings()
        .all()
    )
    return [
        {
            "id": str(r["id"]),
            "providerId": str(r["tenant_id"]),
            "provider": r["provider"],
            "name": r["name"],
            "hubPincode": r["hub_pincode"],
            "hubLatitude": r["hub_latitude"],
            "hubLongitude": r["hub_longitude"],
            "radiusKm": r["radius_km"],
            "maxResponseTimeHours": r["max_response_time_hours"],
            "pincodes": r["pincodes"],
            "technicians": r["technicians"],
            "techniciansFree": r["free"],
        }
        for r in rows
    ]


def area_detail(db: Session, area_id: uuid.UUID) -> dict[str, Any]:
    """One hub with its covered pincodes (and their centroids) and technicians."""
    area = db.get(ServiceArea, area_id)
    if area is None:
        raise NotFound(f"No service area {area_id}")
    points = db.execute(
        text("""SELECT pincode, city, latitude, longitude FROM indian_pincodes
        WHERE pincode = ANY(:p) ORDER BY pincode"""),
        {"p": list(area.covered_pincodes)},
    ).all()
    techs = (
        db.execute(
            text("""
        SELECT c.id, c.technician_id, u.full_name, c.specialties, c.availability
          FROM technician_coverage c
          JOIN users u ON u.id = c.technician_id WHERE c.service_area_id = :a
         ORDER BY u.full_name"""),
            {"a": area.id},
        )
        .mappings()
        .all()
    )
    in_radius = (
        set(pincodes_within(db, area.hub_latitude, area.hub_longitude, area.radius_km))
        if area.radius_km
        else set()
    )
    return {
        "id": str(area.id),
        "providerId": str(area.tenant_id),
        "name": area.name,
        "hubPincode": area.hub_pincode,
        "hubLatitude": area.hub_latitude,
        "hubLongitude": area.hub_longitude,
        "radiusKm": area.radius_km,
        "maxResponseTimeHours": area.max_response_time_hours,
        "pincodes": [
            {"pincode": p.pincode, "city": p.city, "lat": p.latitude, "lng": p.longitude}
            for p in points
        ],
        # Pincodes listed on top of the radius (all of them when there is no radius).
        "extraPincodes": sorted(set(area.covered_pincodes) - in_radius),
        "technicians": [
            {
                "id": str(t["id"]),
                "technicianId": str(t["technician_id"]),
                "name": t["full_name"],
                "specialties": list(t["specialties"]),
                "status": t["availability"].get("status", "available"),
            }
            for t in techs
        ],
    }
