"""The facility and laboratory directory: nearby search, labs by tests, browsing.

Distances are great-circle metres on the same sphere as services.geo.distance. The
GiST index over `ll_to_earth` hands rows over nearest first (its chord distance grows
with the great-circle one), so a search reads about `limit` rows whatever the radius;
those beyond the radius are then dropped.
Every query runs in the caller's session, so row-level security decides which
tenant-owned sites join the public directory.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.errors import Invalid, NotFound
from services.geo.distance import haversine_sql
from services.geo.pincodes import get_pincode
from services.geo.vocab import ACCREDITATIONS, FACILITY_TYPES, TEST_CATEGORIES, city_tier

MAX_RADIUS_KM = 200.0
MAX_LIMIT = 200


def check_radius(radius_km: object, field: str = "radius") -> float:
    """A search radius in km: a finite number above 0 and at most 200."""
    try:
        value = float(radius_km)
    except (TypeError, ValueError) as exc:
        raise Invalid(field, "must be a number of kilometres") from exc
    if not 0 < value <= MAX_RADIUS_KM:
        raise Invalid(field, f"must be above 0 and at most {MAX_RADIUS_KM:g} km")
    return value


def check_facility_type(value: str | None) -> str | None:
    """None for 'all' or nothing; else one of the directory's facility types."""
    if value in (None, "", "all"):
        return None
    if value not in FACILITY_TYPES:
        raise Invalid(
            "facilityType",
            f"unknown type '{value}'; use 'all' or one of " + ", ".join(FACILITY_TYPES),
        )
    return value


def parse_test_categories(raw: str | list[str] | None) -> list[str]:
    """Test categories from a JSON array (`["pathology","radiology"]`), a comma-separated
    list or repeated parameters. Raises Invalid for none or an unknown one."""
    values: list[str] = []
    for item in [raw] if isinstance(raw, str) else list(raw or []):
        item = item.strip()
        if item.startswith("["):
            try:
                parsed = json.loads(item)
            except json.JSONDecodeError as exc:
                raise Invalid("testCategories", "is not a valid JSON array") from exc
            if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
                raise Invalid("testCategories", "must be an array of category names")
            values += parsed
        else:
            values += item.split(",")
    cats = list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    if not cats:
        raise Invalid("testCategories", "name at least one test category")
    unknown = [c for c in cats if c not in TEST_CATEGORIES]
    if unknown:
        raise Invalid(
            "testCategories",
            f"unknown categor{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(unknown)}; known: {', '.join(TEST_CATEGORIES)}",
        )
    return cats


def _coordinates(latitude: object, longitude: object) -> tuple[float, float]:
    for field, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise Invalid(field, "must be a number in decimal degrees") from exc
        if not -bound <= number <= bound:  # also refuses NaN
            raise Invalid(field, f"must be between -{bound} and {bound}")
    return float(latitude), float(longitude)


def _limit(limit: object) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError) as exc:
        raise Invalid("limit", "must be a whole number") from exc
    if not 1 <= value <= MAX_LIMIT:
        raise Invalid("limit", f"must be between 1 and {MAX_LIMIT}")
    return value


def nearby_facilities(
    db: Session,
    latitude: object,
    longitude: object,
    radius_km: object,
    limit: object = 20,
    facility_type: str | None = None,
) -> list[dict]:
    """Facilities within `radius_km` of a point, nearest first, each with `distanceKm`.
    Raises Invalid for bad coordinates, radius, limit or facility type."""
    lat, lng = _coordinates(latitude, longitude)
    radius = check_radius(radius_km)
    ftype = check_facility_type(facility_type)
    rows = (
        db.execute(
            text(f"""
        SELECT near.*, p.city FROM (
            SELECT f.id, f.name, f.address, f.pincode, f.facility_type, f.bed_count,
                   f.specialties, f.accreditations, f.ownership, f.latitude, f.longitude,
                   {haversine_sql("f")} AS distance_m
              FROM healthcare_facilities f
             WHERE CAST(:ftype AS text) IS NULL OR f.facility_type = :ftype
             ORDER BY ll_to_earth(f.latitude, f.longitude) <-> ll_to_earth(:lat, :lng)
             LIMIT :limit) near
          JOIN indian_pincodes p ON p.pincode = near.pincode
         WHERE distance_m <= :radius ORDER BY distance_m, id"""),
            {
                "lat": lat,
                "lng": lng,
                "radius": radius * 1000,
                "ftype": ftype,
                "limit": _limit(limit),
            },
        )
        .mappings()
        .all()
    )
    return [
        _facility_json(r) | {"city": r["city"], "distanceKm": round(r["distance_m"] / 1000, 3)}
        for r in rows
    ]


def laboratories_by_tests(
    db: Session, test_categories, pincode: str, radius_km: object = 5, limit: object = 50
) -> list[dict]:
    """Laboratories offering every category asked, within `radius_km` of the pincode's
    centroid, nearest first. Raises Invalid or NotFound for the pincode."""
    cats = parse_test_categories(test_categories)
    place = get_pincode(db, pincode)
    radius = check_radius(radius_km)
    rows = (
        db.execute(
            text(f"""
        SELECT * FROM (
            SELECT l.id, l.facility_id, l.name, l.address, l.pincode, l.lab_type,
                   l.test_categories, l.accreditations, l.latitude, l.longitude,
                   {haversine_sql("l")} AS distance_m
              FROM laboratories l
             WHERE l.test_categories @> CAST(:cats AS jsonb)
             ORDER BY ll_to_earth(l.latitude, l.longitude) <-> ll_to_earth(:lat, :lng)
             LIMIT :limit) near
         WHERE distance_m <= :radius ORDER BY distance_m, id"""),
            {
                "lat": place.latitude,
                "lng": place.longitude,
                "radius": radius * 1000,
                "cats": json.dumps(cats),
                "limit": _limit(limit),
            },
        )
        .mappings()
        .all()
    )
    return [
        {
            "id": str(r["id"]),
            "facilityId": str(r["facility_id"]) if r["facility_id"] else None,
            "name": r["name"],
            "address": r["address"],
            "pincode": r["pincode"],
            "labType": r["lab_type"],
            "testCategories": list(r["test_categories"]),
            "accreditations": list(r["accreditations"]),
            "latitude": r["latitude"],
            "longitude": r["longitude"],
            "distanceKm": round(r["distance_m"] / 1000, 3),
        }
        for r in rows
    ]


def _facility_json(r) -> dict[str, Any]:
    return {
        "id": str(r["id"]),
        "name": r["name"],
        "address": r["address"],
        "pincode": r["pincode"],
        "facilityType": r["facility_type"],
        "bedCount": r["bed_count"],
        "specialties": list(r["specialties"]),
        "accreditations": list(r["accreditations"]),
        "ownership": r["ownership"],
        "latitude": r["latitude"],
        "longitude": r["longitude"],
    }


def _filters(
    q: str | None,
    city: str | None,
    state: str | None,
    facility_type: str | None,
    accreditation: str | None,
) -> tuple[str, dict]:
    clauses, params = [], {}
    if q and q.strip():
        clauses.append(
            "(f.name ILIKE :q OR f.name % :qraw OR f.pincode = :qraw OR p.city ILIKE :qraw)"
        )
        params |= {"q": f"%{q.strip()}%", "qraw": q.strip()}
    if city:
        clauses.append("p.city = :city")
        params["city"] = city
    if state:
        clauses.append("p.state = :state")
        params["state"] = state
    if (ftype := check_facility_type(facility_type)) is not None:
        clauses.append("f.facility_type = :ftype")
        params["ftype"] = ftype
    if accreditation and accreditation != "all":
        if accreditation not in ACCREDITATIONS:
            raise Invalid("accreditation", f"use one of {', '.join(ACCREDITATIONS)}")
        clauses.append("f.accreditations @> CAST(:acc AS jsonb)")
        params["acc"] = json.dumps([accreditation])
    return (" AND ".join(clauses) or "true"), params


def search_directory(
    db: Session,
    *,
    q: str | None = None,
    city: str | None = None,
    state: str | None = None,
    facility_type: str | None = None,
    accreditation: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """A page of the directory matching the filters (name, city, state, type,
    accreditation), by city then name, and the number of matches."""
    where, params = _filters(q, city, state, facility_type, accreditation)
    params |= {"limit": _limit(limit), "offset": max(0, int(offset))}
    total = db.execute(
        text(f"""SELECT count(*) FROM healthcare_facilities f
        JOIN indian_pincodes p ON p.pincode = f.pincode WHERE {where}"""),
        params,
    ).scalar_one()
    rows = (
        db.execute(
            text(f"""
        SELECT f.id, f.name, f.address, f.pincode, f.facility_type, f.bed_count, f.specialties,
               f.accreditations, f.ownership, f.latitude, f.longitude, f.source, f.tenant_id,
               p.city, p.state
          FROM healthcare_facilities f JOIN indian_pincodes p ON p.pincode = f.pincode
         WHERE {where} ORDER BY p.city, f.name, f.id LIMIT :limit OFFSET :offset"""),
            params,
        )
        .mappings()
        .all()
    )
    return [
        _facility_json(r)
        | {
            "city": r["city"],
            "state": r["state"],
            "source": r["source"],
            "tier": city_tier(r["pincode"], r["city"]),
        }
        for r in rows
    ], total


def directory_points(
    db: Session,
    *,
    q: str | None = None,
    city: str | None = None,
    state: str | None = None,
    facility_type: str | None = None,
    accreditation: str | None = None,
) -> list[tuple]:
    """(lat, lng, name, type, id) of every facility matching the filters, for a map."""
    where, params = _filters(q, city, state, facility_type, accreditation)
    return [
        tuple(r)
        for r in db.execute(
            text(f"""
        SELECT round(f.latitude::numeric, 5)::float, round(f.longitude::numeric, 5)::float,
               f.name, f.facility_type, f.id::text
          FROM healthcare_facilities f JOIN indian_pincodes p ON p.pincode = f.pincode
         WHERE {where}"""),
            params,
        )
    ]


def directory_choices(db: Session) -> dict[str, list[str]]:
    """Cities and states that have at least one facility, for the filter menus."""
    rows = db.execute(
        text("""SELECT DISTINCT p.city, p.state FROM healthcare_facilities f
        JOIN indian_pincodes p ON p.pincode = f.pincode""")
    ).all()
    return {"cities": sorted({r.city for r in rows}), "states": sorted({r.state for r in rows})}


def facility_detail(db: Session, facility_id: str | uuid.UUID) -> dict[str, Any]:
    """One facility with its place, equipment by category, laboratories and the devices
    registered there that the caller may see. Raises NotFound."""
    try:
        fid = uuid.UUID(str(facility_id))
    except ValueError as exc:
        raise NotFound(f"No facility {facility_id} in the directory") from exc
    row = (
        db.execute(
            text("""
        SELECT f.*, p.city, p.district, p.state FROM healthcare_facilities f
          JOIN indian_pincodes p ON p.pincode = f.pincode WHERE f.id = :id"""),
            {"id": fid},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"No facility {facility_id} in the directory")
    equipment = db.execute(
        text("""SELECT device_count_by_category, lab_equipment_types
        FROM healthcare_facility_equipment WHERE facility_id = :id"""),
        {"id": fid},
    ).first()
    labs = (
        db.execute(
            text("""SELECT id, name, lab_type, test_categories, accreditations
        FROM laboratories WHERE facility_id = :id ORDER BY name"""),
            {"id": fid},
        )
        .mappings()
        .all()
    )
    devices = (
        db.execute(
            text("""
        SELECT e.id, e.serial_number, e.lifecycle_status, e.amc_status, s.code, s.name AS model,
               s.category FROM equipment e LEFT JOIN sku s ON s.id = e.sku_id
         WHERE e.facility_id = :id ORDER BY s.category, e.serial_number"""),
            {"id": fid},
        )
        .mappings()
        .all()
    )
    return _facility_json(row) | {
        "city": row["city"],
        "district": row["district"],
        "state": row["state"],
        "tier": city_tier(row["pincode"], row["city"]),
        "source": row["source"],
        "contactInfo": dict(row["contact_info"]),
        "owned": row["tenant_id"] is not None,
        "equipmentByCategory": dict(equipment[0]) if equipment else {},
        "labEquipmentTypes": list(equipment[1]) if equipment else [],
        "laboratories": [
            {
                "id": str(lab["id"]),
                "name": lab["name"],
                "labType": lab["lab_type"],
                "testCategories": list(lab["test_categories"]),
                "accreditations": list(lab["accreditations"]),
            }
            for lab in labs
        ],
        "devices": [
            {
                "id": str(d["id"]),
                "serialNumber": d["serial_number"],
                "status": d["lifecycle_status"],
                "amcStatus": d["amc_status"],
                "skuCode": d["code"],
                "model": d["model"],
                "category": d["category"],
            }
            for d in devices
        ],
    }
