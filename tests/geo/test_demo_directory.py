"""The demo directory reads like India's: where facilities sit, how big they are, what they
hold, and that nothing in it poses as a real institution. Pure: no database fixtures."""

from __future__ import annotations

import re
from collections import Counter
from statistics import mean

import pytest

from services.geo.demo_directory import CHAIN_BRANDS, DemoDirectory, build_directory
from services.geo.distance import haversine_m
from services.geo.pincodes import read_package_rows
from services.geo.vocab import (
    ACCREDITATIONS,
    EQUIPMENT_CATEGORIES,
    FACILITY_TYPES,
    LAB_TYPES,
    METRO_PINCODE_RANGES,
    OWNERSHIP,
    TEST_CATEGORIES,
    city_tier,
    metro_of,
)

REAL_BRANDS = (
    "Apollo",
    "Fortis",
    "Max",
    "Manipal",
    "Narayana",
    "Medanta",
    "AIIMS",
    "Lal",
    "SRL",
    "Metropolis",
    "Thyrocare",
    "Vijaya",
    "Aarthi",
    "Suburban",
    "Neuberg",
    "Sankara",
    "Agarwal",
    "Clove",
    "NephroPlus",
    "Portea",
    "Practo",
    "1mg",
    "Jio",
    "Tata",
    "Reliance",
    "Ziqitza",
    "Mahajan",
    "Lucid",
    "Core",
    "Quest",
)
REAL_BRAND = re.compile(r"\b(" + "|".join(REAL_BRANDS) + r")\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_package_rows()


@pytest.fixture(scope="module")
def pins(rows) -> dict[str, dict]:
    return {row["pincode"]: row for row in rows}


@pytest.fixture(scope="module")
def directory(rows) -> DemoDirectory:
    return build_directory(rows)


@pytest.fixture(scope="module")
def tier_of(pins):
    return lambda site: city_tier(site["pincode"], pins[site["pincode"]]["city"])


def of_type(directory: DemoDirectory, *types: str) -> list[dict]:
    return [f for f in directory.facilities if f["facility_type"] in types]


def labs_by_facility(directory: DemoDirectory) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for lab in directory.laboratories:
        out.setdefault(lab["facility_external_id"], []).append(lab)
    return out


def test_directory_is_big_and_has_every_facility_type(directory):
    assert len(directory.facilities) >= 35_000
    assert set(Counter(f["facility_type"] for f in directory.facilities)) == set(FACILITY_TYPES)
    assert len(directory.laboratories) >= 3_000


def test_every_site_is_on_a_real_pincode(directory, pins):
    assert all(f["pincode"] in pins for f in directory.facilities)
    assert all(lab["pincode"] in pins for lab in directory.laboratories)


def test_facilities_split_about_40_35_25_by_tier(directory, tier_of):
    shares = Counter(tier_of(f) for f in directory.facilities)
    total = len(directory.facilities)
    assert 0.35 <= shares[1] / total <= 0.45
    assert 0.30 <= shares[2] / total <= 0.40
    assert 0.20 <= shares[3] / total <= 0.30


def test_every_metro_has_hundreds_of_facilities(directory):
    per_metro = Counter(metro_of(f["pincode"]) for f in directory.facilities)
    for metro in METRO_PINCODE_RANGES:
        assert per_metro[metro] >= 300, metro


def test_facilities_spread_over_tier2_cities_and_districts(directory, pins, tier_of):
    tier2_cities = {pins[f["pincode"]]["city"] for f in directory.facilities if tier_of(f) == 2}
    districts = {
        (pins[f["pincode"]]["state"], pins[f["pincode"]]["district"])
        for f in directory.facilities
        if tier_of(f) == 3
    }
    assert len(tier2_cities) >= 100
    assert len(districts) >= 300


def test_primary_and_community_health_centres_sit_in_the_districts(directory, tier_of):
    centres = of_type(directory, "primary_health_center", "community_health_center")
    tiers = Counter(tier_of(f) for f in centres)
    assert tiers[3] / len(centres) >= 0.85
    assert all(tier_of(f) != 1 for f in of_type(directory, "community_health_center"))
    urban_phcs = [f for f in centres if tier_of(f) == 1]
    assert len(urban_phcs) / len(centres) <= 0.05
    assert all(f["name"].startswith("Urban Primary Health Centre (demo)") for f in urban_phcs)


def test_metros_hold_most_tertiary_care_and_reference_labs(directory, tier_of):
    tertiary = [f for f in of_type(directory, "hospital") if f["bed_count"] >= 300]
    reference = [lab for lab in directory.laboratories if lab["lab_type"] == "reference"]
    for sites in (
        tertiary,
        reference,
        of_type(directory, "corporate_health_center"),
        of_type(directory, "telemedicine_center"),
    ):
        assert sites
        assert sum(tier_of(s) == 1 for s in sites) / len(sites) > 0.5


def test_bed_counts_are_plausible_for_each_type(directory, tier_of):
    hospitals = of_type(directory, "hospital")
    assert all(20 <= f["bed_count"] <= 2_500 for f in hospitals)
    assert {f["bed_count"] for f in of_type(directory, "community_health_center")} == {30}
    assert {f["bed_count"] for f in of_type(directory, "primary_health_center")} == {6}
    labs = of_type(directory, "diagnostic_lab", "pathology_lab", "dental_clinic")
    assert all(f["bed_count"] is None for f in labs)
    metro_beds = mean(f["bed_count"] for f in hospitals if tier_of(f) == 1)
    district_beds = mean(f["bed_count"] for f in hospitals if tier_of(f) == 3)
    assert metro_beds > district_beds


def test_specialties_fit_the_type(directory):
    assert all(f["specialties"] for f in directory.facilities)
    assert all("general dentistry" in f["specialties"] for f in of_type(directory, "dental_clinic"))
    assert all("ophthalmology" in f["specialties"] for f in of_type(directory, "eye_care_center"))
    assert all("nephrology" in f["specialties"] for f in of_type(directory, "dialysis_center"))
    assert all("general medicine" in f["specialties"] for f in of_type(directory, "hospital"))


def test_vocabulary_values_only(directory):
    for f in directory.facilities:
        assert f["ownership"] in OWNERSHIP
        assert set(f["accreditations"]) <= set(ACCREDITATIONS)
        assert set(f["equipment"]) <= set(EQUIPMENT_CATEGORIES)
        assert all(isinstance(n, int) and n > 0 for n in f["equipment"].values())
    for lab in directory.laboratories:
        assert lab["lab_type"] in LAB_TYPES
        assert lab["test_categories"] and set(lab["test_categories"]) <= set(TEST_CATEGORIES)
        assert set(lab["accreditations"]) <= set(ACCREDITATIONS)
        if "CAP" in lab["accreditations"]:
            assert lab["lab_type"] in ("reference", "full_service")


def test_laboratories_sit_where_they_should(directory):
    labs = labs_by_facility(directory)
    for f in of_type(directory, "diagnostic_lab", "pathology_lab"):
        assert len(labs.get(f["external_id"], [])) == 1, f["external_id"]
    for f in of_type(directory, "hospital"):
        if f["bed_count"] >= 100:
            assert [lab["lab_type"] for lab in labs[f["external_id"]]] == ["hospital"]
    for f in of_type(directory, "radiology_center", "imaging_center"):
        assert "radiology" in labs[f["external_id"]][0]["test_categories"]
    by_id = {f["external_id"]: f for f in directory.facilities}
    for lab in directory.laboratories:
        home = by_id[lab["facility_external_id"]]
        assert (lab["latitude"], lab["longitude"]) == (home["latitude"], home["longitude"])
    nabl = sum("NABL" in lab["accreditations"] for lab in directory.laboratories)
    assert nabl / len(directory.laboratories) > 0.25


def test_external_ids_are_unique_and_numbered(directory):
    facility_ids = [f["external_id"] for f in directory.facilities]
    lab_ids = [lab["external_id"] for lab in directory.laboratories]
    assert facility_ids[:2] == ["DEMO-F-000001", "DEMO-F-000002"]
    assert lab_ids[0] == "DEMO-L-000001"
    assert len(set(facility_ids)) == len(facility_ids)
    assert len(set(lab_ids)) == len(lab_ids)


def test_coordinates_stay_within_3_km_of_the_pincode_centroid(directory, pins):
    for f in directory.facilities:
        centre = pins[f["pincode"]]
        distance = haversine_m(
            centre["latitude"], centre["longitude"], f["latitude"], f["longitude"]
        )
        assert distance <= 3_000, f["external_id"]


def test_names_invent_brands_and_say_where(directory, pins):
    for site in directory.facilities + directory.laboratories:
        assert not REAL_BRAND.search(site["name"]), site["name"]
        row = pins[site["pincode"]]
        assert row["city"] in site["name"]
        assert site["address"].endswith(f"{row['city']}, {row['state']} {row['pincode']}")
    public = [f for f in directory.facilities if f["ownership"] == "public"]
    assert public and all("(demo)" in f["name"] for f in public)


def test_contacts_are_clearly_fictitious(directory):
    for site in directory.facilities + directory.laboratories:
        assert re.fullmatch(r"\+91 00000 \d{5}", site["contact_info"]["phone"])
        assert site["contact_info"]["email"].endswith("@example.in")


def test_equipment_fits_the_type_and_size(directory):
    for f in directory.facilities:
        if "MRI" in f["equipment"]:
            assert f["facility_type"] == "imaging_center" or (
                f["facility_type"] == "hospital" and f["bed_count"] >= 200
            )
        if "Dental CBCT" in f["equipment"]:
            assert f["facility_type"] == "dental_clinic"
    expected = {
        "primary_health_center": "Vaccine refrigerator",
        "dialysis_center": "Dialysis machine",
        "eye_care_center": "Ophthalmic laser",
        "imaging_center": "MRI",
        "hospital": "Haematology analyzer",
    }
    for ftype, device in expected.items():
        assert all(device in f["equipment"] for f in of_type(directory, ftype)), ftype
    assert any("Dental CBCT" in f["equipment"] for f in of_type(directory, "dental_clinic"))
    labs = of_type(directory, "diagnostic_lab")
    assert sum("Biochemistry analyzer" in f["equipment"] for f in labs) / len(labs) > 0.5
    assert all(f["lab_equipment_types"] for f in of_type(directory, "hospital"))


def test_lab_chains_branch_out_in_metros_and_tier2_cities(directory, tier_of):
    branches = [
        f
        for f in of_type(directory, "diagnostic_lab", "pathology_lab")
        if f["name"].startswith(CHAIN_BRANDS)
    ]
    assert {b["name"].split(",")[0] for b in branches} == set(CHAIN_BRANDS)
    assert sum(tier_of(b) < 3 for b in branches) / len(branches) >= 0.9


def test_same_seed_rebuilds_the_same_directory(rows, directory):
    assert build_directory(rows) == directory


def test_another_seed_gives_another_directory(rows):
    one = build_directory(rows, seed=1, total=2_000)
    other = build_directory(rows, seed=2, total=2_000)
    assert len(one.facilities) == len(other.facilities) == 2_000
    assert one.facilities != other.facilities
    assert [f["name"] for f in one.facilities] != [f["name"] for f in other.facilities]
