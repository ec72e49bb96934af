"""Great-circle distance on the Earth."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Metres between two WGS84 points along the surface."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_sql(table: str = "") -> str:
    """The SQL of `haversine_m` from the point (:lat, :lng) to the row's latitude and
    longitude (of `table`, an alias, when given), so the database measures as Python does."""
    col = f"{table}." if table else ""
    return f"""2 * {EARTH_RADIUS_M} * asin(least(1.0, sqrt(
    power(sin(radians({col}latitude - :lat) / 2), 2)
    + cos(radians(:lat)) * cos(radians({col}latitude))
      * power(sin(radians({col}longitude - :lng) / 2), 2))))"""


def check_coordinates(lat: object, lng: object, field: str = "scanLocation") -> tuple[float, float]:
    """Validated (lat, lng); raises services.errors.Invalid naming `field`."""
    from services.errors import Invalid

    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError) as exc:
        raise Invalid(field, "latitude and longitude must be numbers") from exc
    if not (math.isfinite(lat_f) and math.isfinite(lng_f)):
        raise Invalid(field, "latitude and longitude must be finite numbers")
    if not -90 <= lat_f <= 90:
        raise Invalid(f"{field}.lat", "must be between -90 and 90")
    if not -180 <= lng_f <= 180:
        raise Invalid(f"{field}.lng", "must be between -180 and 180")
    return lat_f, lng_f
