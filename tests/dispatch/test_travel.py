"""The travel model: longer is slower, peaks are slower, the monsoon and old-city lanes
cost time, and cached pincode pairs agree with fresh estimates."""

from __future__ import annotations

from datetime import datetime

from services.dispatch.travel import IST, Place, TravelModel

AIIMS = Place(28.5672, 77.2100, "Delhi NCR", 1, "110029")
CP = Place(28.6315, 77.2167, "Delhi NCR", 1, "110001")
DWARKA = Place(28.5921, 77.0460, "Delhi NCR", 1, "110075")
CHANDNI_CHOWK = Place(28.6506, 77.2303, "Delhi NCR", 1, "110006")
NOON = datetime(2026, 2, 10, 13, 0, tzinfo=IST)
model = TravelModel()


def test_time_grows_with_distance():
    near = model.minutes(AIIMS, CP, NOON)
    far = model.minutes(AIIMS, DWARKA, NOON)
    assert 0 < near < far
    steps = [Place(28.5672 + d / 111.0, 77.2100, "Delhi NCR", 1) for d in (1, 2, 4, 8, 16, 32)]
    times = [model.minutes(AIIMS, s, NOON) for s in steps]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_delhi_peaks_are_slower_than_midday_and_night():
    at = lambda h: datetime(2026, 2, 10, h, 0, tzinfo=IST)  # noqa: E731
    morning, midday, evening, night = (
        model.minutes(AIIMS, DWARKA, at(h)) for h in (10, 13, 18, 23)
    )
    assert morning > midday and evening > midday and night < midday


def test_the_monsoon_slows_mumbai_more_than_delhi():
    dry, wet = datetime(2026, 2, 10, 13, tzinfo=IST), datetime(2026, 7, 10, 13, tzinfo=IST)
    worli, andheri = Place(19.0176, 72.8172, "Mumbai", 1), Place(19.1136, 72.8697, "Mumbai", 1)
    mumbai = model.minutes(worli, andheri, wet) / model.minutes(worli, andheri, dry)
    delhi = model.minutes(AIIMS, DWARKA, wet) / model.minutes(AIIMS, DWARKA, dry)
    assert mumbai > delhi > 1


def test_old_delhi_lanes_add_time_going_in():
    plain = model.minutes(AIIMS, CP, NOON)
    lanes = model.minutes(AIIMS, CHANDNI_CHOWK, NOON)
    assert lanes - plain > 20


def test_cached_pincode_pairs_match_a_fresh_estimate_in_the_same_band():
    at_1300, at_1600 = NOON, datetime(2026, 2, 10, 16, 30, tzinfo=IST)
    live = Place(AIIMS.lat, AIIMS.lng, "Delhi NCR", 1)  # a GPS fix: never cached
    assert model.minutes(AIIMS, DWARKA, at_1300) == model.minutes(AIIMS, DWARKA, at_1600)
    assert abs(model.minutes(live, DWARKA, at_1600) - model.minutes(AIIMS, DWARKA, at_1600)) < 1e-9
    matrix = model.matrix([AIIMS, CP, DWARKA], NOON)
    assert [matrix[i][i] for i in range(3)] == [0, 0, 0] and matrix[0][2] > matrix[0][1] > 0
