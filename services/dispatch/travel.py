"""Travel times for dispatch: great-circle distance with a road factor, speeds by city and
time of day, a monsoon factor, and restricted zones.

Every estimate goes through `TravelModel.minutes(origin, destination, at)`. A real traffic
service can replace the profile by implementing that one method; the optimizer only sees
the matrices `matrix()` builds from it. Matrices between pincode centroids are cached per
pincode pair, time band and season, so a re-plan in the same band recomputes nothing.

Speeds are door-to-door averages in km/h, including parking and finding the department;
the bands are hours in IST. The figures are the platform's planning assumptions, to be
calibrated against the ETAs technicians report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from services.common.clock import IST
from services.geo.distance import haversine_m

CITY_KM = 30
ROAD_FACTOR_CITY = 1.4  # within 30 km: streets wind
ROAD_FACTOR_HIGHWAY = 1.2  # beyond: mostly highway
HIGHWAY_KMH = 45.0
MONSOON_MONTHS = frozenset({6, 7, 8, 9})
# (first hour, last hour exclusive, km/h): the day is covered from 0 to 24.
Profile = tuple[tuple[int, int, float], ...]
METRO_PROFILES: dict[str, Profile] = {
    "Delhi NCR": ((0, 7, 38), (7, 9, 26), (9, 11, 16), (11, 17, 22), (17, 20, 15), (20, 24, 28)),
    "Mumbai": ((0, 7, 32), (7, 9, 20), (9, 11, 14), (11, 17, 18), (17, 21, 13), (21, 24, 24)),
    "Bengaluru": ((0, 7, 34), (7, 9, 20), (9, 11, 13), (11, 17, 18), (17, 21, 12), (21, 24, 24)),
    "Chennai": ((0, 7, 34), (7, 9, 24), (9, 11, 18), (11, 17, 22), (17, 20, 17), (20, 24, 28)),
    "Kolkata": ((0, 7, 32), (7, 9, 22), (9, 11, 16), (11, 17, 20), (17, 20, 15), (20, 24, 26)),
    "Hyderabad": ((0, 7, 36), (7, 9, 24), (9, 11, 18), (11, 17, 23), (17, 20, 16), (20, 24, 28)),
    "Ahmedabad": ((0, 7, 38), (7, 9, 28), (9, 11, 22), (11, 17, 26), (17, 20, 20), (20, 24, 30)),
    "Pune": ((0, 7, 36), (7, 9, 24), (9, 11, 18), (11, 17, 22), (17, 20, 16), (20, 24, 28)),
}
TIER_PROFILES: dict[int, Profile] = {
    1: ((0, 7, 36), (7, 10, 22), (10, 17, 24), (17, 20, 18), (20, 24, 28)),
    2: ((0, 7, 42), (7, 10, 30), (10, 17, 32), (17, 20, 26), (20, 24, 36)),
    3: ((0, 6, 45), (6, 20, 38), (20, 24, 40)),
}
# Monsoon slows the coastal metros most (waterlogging), the rest somewhat.
MONSOON_FACTOR = {"Mumbai": 0.7, "Kolkata": 0.75, "Chennai": 0.8}
MONSOON_DEFAULT = 0.85


@dataclass(frozen=True)
class Zone:
    """Narrow lanes where a technician parks outside and walks in with the kit."""

    name: str
    lat: float
    lng: float
    radius_km: float
    extra_minutes: float


RESTRICTED_ZONES = (
    Zone("Old Delhi (Chandni Chowk)", 28.6506, 77.2303, 1.6, 25),
    Zone("Mumbai Bhuleshwar-Kalbadevi", 18.9500, 72.8280, 1.0, 20),
    Zone("Old Hyderabad (Charminar)", 17.3616, 78.4747, 1.5, 20),
    Zone("Kolkata Burrabazar", 22.5800, 88.3520, 1.2, 20),
    Zone("Chennai George Town", 13.0940, 80.2870, 1.0, 15),
    Zone("Bengaluru Chickpet", 12.9700, 77.5780, 1.0, 15),
)


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    metro: str | None = None  # a key of METRO_PROFILES
    tier: int = 3
    pincode: str | None = None  # set for pincode centroids, so their times are cached


def band(at: datetime, profile: Profile) -> tuple[int, float]:
    """(index, km/h) of the band of the profile that `at` (any zone) falls in, in IST."""
    hour = at.astimezone(IST).hour
    for index, (first, last, speed) in enumerate(profile):
        if first <= hour < last:
            return index, speed
    raise ValueError(f"the profile leaves hour {hour} uncovered")


def _profile(place: Place) -> Profile:
    return METRO_PROFILES.get(place.metro or "", TIER_PROFILES[place.tier])


def _zone_minutes(place: Place) -> float:
    return sum(
        z.extra_minutes
        for z in RESTRICTED_ZONES
        if haversine_m(place.lat, place.lng, z.lat, z.lng) <= z.radius_km * 1000
    )


class TravelModel:
    """Minutes between two places leaving at a given time (see the module docstring)."""

    def minutes(self, origin: Place, destination: Place, at: datetime) -> float:
        if origin.pincode and destination.pincode:
            index, _ = band(at, _profile(destination))
            monsoon = at.astimezone(IST).month in MONSOON_MONTHS
            return _cached(origin, destination, _profile(destination)[index][0], monsoon)
        return _estimate(origin, destination, at.astimezone(IST))

    def matrix(self, places: list[Place], at: datetime) -> list[list[int]]:
        """Whole minutes between every pair, for the optimizer."""
        return [
            [0 if i == j else max(1, round(self.minutes(a, b, at))) for j, b in enumerate(places)]
            for i, a in enumerate(places)
        ]


@lru_cache(maxsize=200_000)
def _cached(origin: Place, destination: Place, band_start: int, monsoon: bool) -> float:
    """Keyed by the band's first hour: every hour of a band has the same speed."""
    month = 7 if monsoon else 1
    return _estimate(origin, destination, datetime(2026, month, 15, band_start, tzinfo=IST))


def _estimate(origin: Place, destination: Place, at: datetime) -> float:
    km = haversine_m(origin.lat, origin.lng, destination.lat, destination.lng) / 1000
    if km < 0.05:
        return 0.0
    _, speed = band(at, _profile(destination))
    monsoon = (
        MONSOON_FACTOR.get(destination.metro or "", MONSOON_DEFAULT)
        if at.month in MONSOON_MONTHS
        else 1.0
    )
    # The first 30 km wind through the city; the rest is highway at intercity speed.
    city_km, highway_km = min(km, CITY_KM), max(0.0, km - CITY_KM)
    hours = city_km * ROAD_FACTOR_CITY / (speed * monsoon) + highway_km * ROAD_FACTOR_HIGHWAY / (
        max(speed, HIGHWAY_KMH) * monsoon
    )
    return hours * 60 + _zone_minutes(destination)
