"""One row of a facility directory CSV, checked column by column: every problem of the
row is reported (each naming its column), and facility types are read from the spellings
people write ("Hospital", "imaging center", "Imaging Centre", "diagnostic lab", "PHC")."""

from __future__ import annotations

import re
from typing import Any

from services.geo.distance import haversine_m
from services.geo.pincodes import PINCODE
from services.geo.vocab import (
    ACCREDITATIONS,
    EQUIPMENT_CATEGORIES,
    FACILITY_TYPES,
    LAB_TYPES,
    OWNERSHIP,
    TEST_CATEGORIES,
)

MAX_OFF_CENTROID_KM = 50
REQUIRED = ("external_id", "name", "pincode", "facility_type")
EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _items(value: str) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in value.split(";") if v.strip()))


def _pick(value: str, allowed: tuple[str, ...], column: str) -> list[str]:
    by_lower = {a.lower(): a for a in allowed}
    picked = []
    for item in _items(value):
        if item.lower() not in by_lower:
            raise RowError(column, f"'{item}' is not one of {', '.join(allowed)}")
        picked.append(by_lower[item.lower()])
    return picked


def _equipment(value: str) -> dict[str, int]:
    counts = {}
    for item in _items(value):
        category, _, count = item.rpartition(":")
        picked = _pick(category, EQUIPMENT_CATEGORIES, "equipment") if category else []
        if not picked or not count.strip().isdigit():
            raise RowError("equipment", f"'{item}' is not category:count (e.g. MRI:1)")
        counts[picked[0]] = int(count)
    return counts


def _place(row: dict, centroid: tuple[float, float]) -> tuple[float | None, float | None]:
    lat, lng = row.get("latitude", ""), row.get("longitude", "")
    if not lat and not lng:
        return None, None
    try:
        point = float(lat), float(lng)
    except ValueError:
        raise RowError(
            "latitude" if not _is_number(lat) else "longitude",
            "give both latitude and longitude in decimal degrees",
        ) from None
    off_km = haversine_m(*point, *centroid) / 1000
    if off_km > MAX_OFF_CENTROID_KM:
        raise RowError(
            "latitude",
            f"the point is {off_km:.0f} km from pincode {row['pincode']} "
            "(latitude and longitude swapped?)",
        )
    return point


def _is_number(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


# Common spellings of facility types, after lower-casing, "centre" -> "center",
# "laboratory" -> "lab" and spaces or hyphens -> "_".
TYPE_ALIASES = {
    "phc": "primary_health_center",
    "chc": "community_health_center",
    "lab": "diagnostic_lab",
    "diagnostic_center": "diagnostic_lab",
    "diagnostics": "diagnostic_lab",
    "imaging": "imaging_center",
    "radiology": "radiology_center",
    "pathology": "pathology_lab",
    "nursing_home": "hospital",
    "multi_speciality_hospital": "hospital",
    "multi_specialty_hospital": "hospital",
    "super_speciality_hospital": "hospital",
    "eye_hospital": "eye_care_center",
    "dental_center": "dental_clinic",
    "clinic": "dispensary",
}


def facility_type_of(value: str) -> str | None:
    """The directory's facility type for a spelling people write ("Hospital", "imaging
    center", "Imaging Centre", "diagnostic lab", "PHC"...), or None."""
    key = re.sub(r"[\s\-]+", "_", (value or "").strip().lower())
    key = key.replace("centre", "center").replace("laboratory", "lab")
    key = TYPE_ALIASES.get(key, key)
    return key if key in FACILITY_TYPES else None


class RowProblems(Exception):
    """Every problem found in one row."""

    def __init__(self, problems: list[RowError]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


def _collect(problems: list[RowError], check, *args):
    try:
        return check(*args)
    except RowError as err:
        problems.append(err)
        return None


def _required(row: dict[str, str]) -> None:
    if not EXTERNAL_ID.match(row["external_id"]):
        raise RowError("external_id", "use up to 80 letters, digits and . _ : / -")


def _name(row: dict[str, str]) -> None:
    if len(row["name"]) > 200:
        raise RowError("name", "is longer than 200 characters")


def _pincode(row: dict[str, str], centroids: dict) -> tuple[float, float]:
    if not PINCODE.match(row["pincode"]) or row["pincode"] not in centroids:
        raise RowError("pincode", f"'{row['pincode']}' is not an India Post pincode")
    return centroids[row["pincode"]]


def _facility_type(row: dict[str, str]) -> str:
    found = facility_type_of(row["facility_type"])
    if found is None:
        raise RowError(
            "facility_type",
            f"'{row['facility_type'][:60]}' is not a facility type "
            "(for example hospital, diagnostic lab, imaging centre, PHC)",
        )
    return found


def _beds(row: dict[str, str]) -> int | None:
    beds = row.get("bed_count", "")
    if beds and (not beds.isdigit() or int(beds) > 20_000):
        raise RowError("bed_count", "must be a whole number up to 20,000")
    return int(beds) if beds else None


def _ownership(row: dict[str, str]) -> str:
    ownership = (row.get("ownership") or "private").lower()
    if ownership not in OWNERSHIP:
        raise RowError("ownership", f"use one of {', '.join(OWNERSHIP)}")
    return ownership


def _email(row: dict[str, str]) -> None:
    email = row.get("email", "")
    if email and not EMAIL.match(email):
        raise RowError("email", f"'{email}' is not an email address")


def parse_row(row: dict[str, str], centroids: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """One CSV row as directory fields. Raises RowProblems with every problem of the row,
    each naming its column."""
    problems = [RowError(c, "is required") for c in REQUIRED if not row.get(c)]
    present = {c for c in REQUIRED if row.get(c)}
    if "external_id" in present:
        _collect(problems, _required, row)
    if "name" in present:
        _collect(problems, _name, row)
    centroid = _collect(problems, _pincode, row, centroids) if "pincode" in present else None
    kind = _collect(problems, _facility_type, row) if "facility_type" in present else None
    beds = _collect(problems, _beds, row)
    ownership = _collect(problems, _ownership, row)
    _collect(problems, _email, row)
    point = _collect(problems, _place, row, centroid) if centroid else (None, None)
    accreditations = _collect(
        problems, _pick, row.get("accreditations", ""), ACCREDITATIONS, "accreditations"
    )
    equipment = _collect(problems, _equipment, row.get("equipment", ""))
    lab = _collect(problems, _lab, row)
    if problems:
        raise RowProblems(problems)
    lat, lng = point
    facility = {
        "external_id": row["external_id"],
        "name": row["name"],
        "address": row.get("address", "")[:400],
        "pincode": row["pincode"],
        "facility_type": kind,
        "bed_count": beds,
        "specialties": [s[:60] for s in _items(row.get("specialties", ""))],
        "accreditations": accreditations,
        "ownership": ownership,
        "latitude": lat,
        "longitude": lng,
        "contact_info": {k: row[k] for k in ("phone", "email") if row.get(k)},
        "equipment": equipment,
        "lab_equipment_types": [],
    }
    if lab:
        lab.update(
            external_id=f"{row['external_id']}/lab",
            facility_external_id=row["external_id"],
            name=row["name"],
            address=facility["address"],
            pincode=row["pincode"],
            latitude=lat,
            longitude=lng,
            contact_info=facility["contact_info"],
        )
    return {"facility": facility, "lab": lab}


def _lab(row: dict[str, str]) -> dict[str, Any] | None:
    """The laboratory columns of a row, or None when the site has no laboratory."""
    if not (row.get("lab_type") or row.get("test_categories")):
        return None
    lab_type = (row.get("lab_type") or "full_service").lower()
    if lab_type not in LAB_TYPES:
        raise RowError("lab_type", f"use one of {', '.join(LAB_TYPES)}")
    tests = _pick(row.get("test_categories", ""), TEST_CATEGORIES, "test_categories")
    if not tests:
        raise RowError("test_categories", "a laboratory needs at least one test category")
    return {
        "lab_type": lab_type,
        "test_categories": tests,
        "accreditations": _pick(
            row.get("lab_accreditations", ""), ACCREDITATIONS, "lab_accreditations"
        ),
    }
