"""Nearby search and labs by tests over the 36,000-facility directory on real pincodes,
checked against a brute-force scan of the table."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session
from services.geo.distance import haversine_m
from tests.factories import PASSWORD, make_org
from tests.geo.conftest import centroid

AIIMS = "110029"


def _brute_force(
    table: str,
    lat: float,
    lng: float,
    radius_km: float,
    where: str = "true",
    params: dict | None = None,
) -> list[tuple[float, str]]:
    """(metres, id) of every public row within the radius, nearest first."""
    with system_session() as db:
        rows = db.execute(
            text(
                f"SELECT id::text, latitude, longitude FROM {table} "
                f"WHERE tenant_id IS NULL AND {where}"
            ),
            params or {},
        ).all()
    found = [(haversine_m(lat, lng, r.latitude, r.longitude), r.id) for r in rows]
    return sorted((m, i) for m, i in found if m <= radius_km * 1000)


def test_the_directory_holds_35000_facilities_on_real_pincodes():
    with system_session() as db:
        total, orphans = db.execute(
            text("""
            SELECT count(*), count(*) FILTER (WHERE p.pincode IS NULL)
              FROM healthcare_facilities f LEFT JOIN indian_pincodes p USING (pincode)""")
        ).one()
    assert total >= 35_000 and orphans == 0


@pytest.fixture(scope="module")
def outsider(auth) -> dict:
    """A new hospital chain with no sites of its own: it sees the public directory only."""
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_USER)
    return auth(org.email, PASSWORD)


def test_nearby_aiims_delhi_returns_only_what_is_inside_the_radius_nearest_first(client, outsider):
    lat, lng = centroid(AIIMS)
    response = client.get(
        "/api/v1/geo/healthcare-facilities/nearby",
        headers=outsider,
        params={"latitude": lat, "longitude": lng, "radius": 3, "limit": 200},
    )
    assert response.status_code == 200, response.text
    found = response.json()["facilities"]
    expected = _brute_force("healthcare_facilities", lat, lng, 3)[:200]
    assert len(found) == len(expected) > 20
    assert [f["id"] for f in found] == [i for _m, i in expected]
    distances = [f["distanceKm"] for f in found]
    assert distances == sorted(distances) and max(distances) <= 3
    for f in found[:20]:
        assert (
            abs(haversine_m(lat, lng, f["latitude"], f["longitude"]) / 1000 - f["distanceKm"])
            < 0.002
        )


def test_nearby_filters_by_facility_type_and_honours_the_limit(client, outsider):
    lat, lng = centroid(AIIMS)
    found = client.get(
        "/api/v1/geo/healthcare-facilities/nearby",
        headers=outsider,
        params={
            "latitude": lat,
            "longitude": lng,
            "radius": 15,
            "limit": 5,
            "facilityType": "diagnostic_lab",
        },
    ).json()["facilities"]
    expected = _brute_force(
        "healthcare_facilities", lat, lng, 15, "facility_type = 'diagnostic_lab'"
    )[:5]
    assert [f["id"] for f in found] == [i for _m, i in expected] and len(found) == 5
    assert {f["facilityType"] for f in found} == {"diagnostic_lab"}


@pytest.mark.parametrize(
    "params,field",
    [
        ({"latitude": "north", "longitude": 77.2}, "latitude"),
        ({"latitude": 95, "longitude": 77.2}, "latitude"),
        ({"latitude": 28.6, "longitude": 181}, "longitude"),
        ({"latitude": "nan", "longitude": 77.2}, "latitude"),
        ({"latitude": 28.6, "longitude": 77.2, "radius": 0}, "radius"),
        ({"latitude": 28.6, "longitude": 77.2, "radius": -4}, "radius"),
        ({"latitude": 28.6, "longitude": 77.2, "radius": 5000}, "radius"),
        ({"latitude": 28.6, "longitude": 77.2, "radius": "ten"}, "radius"),
        ({"latitude": 28.6, "longitude": 77.2, "limit": 0}, "limit"),
        ({"latitude": 28.6, "longitude": 77.2, "facilityType": "spaceport"}, "facilityType"),
    ],
)
def test_bad_nearby_input_is_a_400_naming_the_field(client, auth, params, field):
    response = client.get(
        "/api/v1/geo/healthcare-facilities/nearby", headers=auth("buyer_user"), params=params
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field


def test_labs_by_tests_offer_every_category_asked(client, outsider):
    lat, lng = centroid("110001")
    response = client.get(
        "/api/v1/geo/laboratories/by-tests",
        headers=outsider,
        params={"testCategories": '["pathology","microbiology"]', "pincode": "110001", "radius": 8},
    )
    assert response.status_code == 200, response.text
    labs = response.json()["laboratories"]
    expected = _brute_force(
        "laboratories", lat, lng, 8, 'test_categories @> \'["pathology","microbiology"]\''
    )[:50]
    assert [lab["id"] for lab in labs] == [i for _m, i in expected] and labs
    assert all({"pathology", "microbiology"} <= set(lab["testCategories"]) for lab in labs)
    assert [lab["distanceKm"] for lab in labs] == sorted(lab["distanceKm"] for lab in labs)
    # A lab offering only one of the two is left out, so the filter is doing work.
    only_one = _brute_force(
        "laboratories",
        lat,
        lng,
        8,
        "test_categories @> '[\"pathology\"]' AND NOT test_categories @> '[\"microbiology\"]'",
    )
    assert only_one and not {i for _m, i in only_one} & {lab["id"] for lab in labs}
    same = client.get(
        "/api/v1/geo/laboratories/by-tests",
        headers=outsider,
        params={"testCategories": "microbiology,pathology", "pincode": "110001", "radius": 8},
    ).json()
    assert [lab["id"] for lab in same["laboratories"]] == [lab["id"] for lab in labs]


@pytest.mark.parametrize(
    "params,status,field",
    [
        (
            {"testCategories": '["pathology","astrology"]', "pincode": "110001"},
            400,
            "testCategories",
        ),
        ({"testCategories": "[broken", "pincode": "110001"}, 400, "testCategories"),
        ({"testCategories": "", "pincode": "110001"}, 400, "testCategories"),
        ({"testCategories": "pathology", "pincode": "11001"}, 400, "pincode"),
        ({"testCategories": "pathology", "pincode": "110001", "radius": "-1"}, 400, "radius"),
        ({"testCategories": "pathology", "pincode": "999999"}, 404, None),
    ],
)
def test_bad_lab_search_input_is_refused(client, auth, params, status, field):
    response = client.get(
        "/api/v1/geo/laboratories/by-tests", headers=auth("lab_staff"), params=params
    )
    assert response.status_code == status, response.text
    if field:
        assert response.json()["error"]["field"] == field


def test_an_organisations_own_site_stays_out_of_other_organisations_searches(client, auth):
    lat, lng = centroid(AIIMS)
    params = {"latitude": lat, "longitude": lng, "radius": 2, "limit": 200}
    own = {
        f["name"]
        for f in client.get(
            "/api/v1/geo/healthcare-facilities/nearby", headers=auth("buyer_admin"), params=params
        ).json()["facilities"]
    }
    other = {
        f["name"]
        for f in client.get(
            "/api/v1/geo/healthcare-facilities/nearby", headers=auth("lab_staff"), params=params
        ).json()["facilities"]
    }
    assert "Sanjeevani Multispeciality, Safdarjung" in own
    assert "Sanjeevani Multispeciality, Safdarjung" not in other


def test_a_facility_page_lists_its_equipment_and_laboratory(client, auth):
    with system_session() as db:
        fid = db.execute(
            text("""SELECT f.id::text FROM healthcare_facilities f
            JOIN laboratories l ON l.facility_id = f.id WHERE f.source = 'demo'
             AND f.facility_type = 'hospital' LIMIT 1""")
        ).scalar_one()
    detail = client.get(
        f"/api/v1/geo/healthcare-facilities/{fid}", headers=auth("buyer_user")
    ).json()
    assert detail["equipmentByCategory"] and detail["laboratories"]
    assert detail["city"] and detail["tier"] in (1, 2, 3)
    missing = client.get("/api/v1/geo/healthcare-facilities/not-a-uuid", headers=auth("buyer_user"))
    assert missing.status_code == 404
