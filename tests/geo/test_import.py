"""Importing a directory CSV: row-level errors, the good rows kept, idempotent by id."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from services.db import system_session
from tests.geo.conftest import centroid

HEADER = (
    "external_id,name,address,pincode,facility_type,bed_count,specialties,"
    "accreditations,ownership,latitude,longitude,phone,email,equipment,lab_type,"
    "test_categories,lab_accreditations"
)


def _csv(tag: str) -> str:
    lat, lng = centroid("411001")
    rows = [
        f"{tag}-1,Test Hospital One,1 MG Road,411001,hospital,220,cardiology;neurology,NABH,"
        f"private,{lat + 0.01:.5f},{lng:.5f},+91 20 0000 0001,desk@example.in,MRI:1;CT:2,"
        "hospital,pathology;biochemistry,NABL",
        f"{tag}-2,Test Lab Two,2 FC Road,411004,diagnostic_lab,,,NABL,,,,,,,"
        "full_service,pathology;microbiology,NABL;CAP",
        f"{tag}-3,Bad Pincode Clinic,,41100,dispensary,,,,,,,,,,,,",
        f"{tag}-4,Spaceport,,411001,spaceport,,,,,,,,,,,,",
        f"{tag}-5,Swapped Point,,411001,hospital,10,,,,{lng:.5f},{lat:.5f},,,,,,",
        f"{tag}-1,Repeated Id,,411001,hospital,,,,,,,,,,,,",
        f"{tag}-7,Odd Accreditation,,411001,hospital,,,ISO9001,,,,,,,,,",
        f"{tag}-8,Bad Equipment,,411001,hospital,,,,,,,,,MRI-two,,,",
        f"{tag}-9,No Tests Lab,,411001,pathology_lab,,,,,,,,,,reference,,",
    ]
    return "\n".join([HEADER, *rows]) + "\n"


def _upload(client, headers, content: bytes):
    return client.post(
        "/api/v1/geo/directory/import",
        headers=headers,
        files={"file": ("directory.csv", content, "text/csv")},
    )


def test_good_rows_are_imported_and_each_bad_row_is_reported(client, auth):
    tag = f"IMP{uuid.uuid4().hex[:6]}"
    response = _upload(client, auth("platform_admin"), _csv(tag).encode())
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["updated"], report["failed"]) == (9, 2, 0, 7)
    by_id = {(e["row"], e["column"]) for e in report["errors"]}
    assert by_id == {
        (4, "pincode"),
        (5, "facility_type"),
        (6, "latitude"),
        (7, "external_id"),
        (8, "accreditations"),
        (9, "equipment"),
        (10, "test_categories"),
    }
    assert "swapped" in next(e["error"] for e in report["errors"] if e["row"] == 6)
    with system_session() as db:
        hospital = (
            db.execute(
                text("""SELECT f.bed_count, f.accreditations, f.source,
                   e.device_count_by_category, l.test_categories, l.accreditations AS lab_acc
              FROM healthcare_facilities f
              JOIN healthcare_facility_equipment e ON e.facility_id = f.id
              JOIN laboratories l ON l.facility_id = f.id
             WHERE f.external_id = :x"""),
                {"x": f"{tag}-1"},
            )
            .mappings()
            .one()
        )
        lab_point = db.execute(
            text("SELECT latitude, longitude FROM laboratories WHERE external_id = :x"),
            {"x": f"{tag}-2/lab"},
        ).one()
    assert hospital["bed_count"] == 220 and hospital["accreditations"] == ["NABH"]
    assert hospital["device_count_by_category"] == {"MRI": 1, "CT": 2}
    assert hospital["test_categories"] == ["pathology", "biochemistry"]
    assert hospital["source"] == "import" and hospital["lab_acc"] == ["NABL"]
    assert tuple(lab_point) == centroid("411004")  # no coordinates: the pincode's centroid


def test_importing_the_same_file_again_updates_and_never_duplicates(client, auth):
    tag = f"IMP{uuid.uuid4().hex[:6]}"
    first = _upload(client, auth("platform_admin"), _csv(tag).encode()).json()
    changed = _csv(tag).replace("Test Hospital One", "Test Hospital One (renamed)")
    second = _upload(client, auth("platform_admin"), changed.encode()).json()
    assert (first["created"], second["created"], second["updated"]) == (2, 0, 2)
    with system_session() as db:
        rows = (
            db.execute(
                text("SELECT name FROM healthcare_facilities WHERE external_id LIKE :x"),
                {"x": f"{tag}-%"},
            )
            .scalars()
            .all()
        )
        labs = db.execute(
            text("SELECT count(*) FROM laboratories WHERE external_id LIKE :x"), {"x": f"{tag}-%"}
        ).scalar_one()
    assert sorted(rows) == ["Test Hospital One (renamed)", "Test Lab Two"] and labs == 2


def test_unreadable_files_and_other_roles_are_refused(client, auth):
    admin = auth("platform_admin")
    assert _upload(client, admin, b"name,pincode\nX,110001\n").json()["error"]["field"] == "file"
    assert _upload(client, admin, HEADER.encode() + b"\n").status_code == 400
    latin1 = (HEADER + "\nX-1,Clinique Élan,,110001,hospital,,,,,,,,,,,,\n").encode("latin-1")
    refused = _upload(client, admin, latin1)
    assert refused.status_code == 400 and "UTF-8" in refused.json()["error"]["message"]
    assert _upload(client, auth("buyer_admin"), _csv("X").encode()).status_code == 403


def test_common_spellings_of_facility_types_are_understood(client, auth):
    tag = f"IMP{uuid.uuid4().hex[:6]}"
    spellings = {
        "Hospital": "hospital",
        "hospital": "hospital",
        "imaging center": "imaging_center",
        "Imaging Centre": "imaging_center",
        "diagnostic lab": "diagnostic_lab",
        "Diagnostic Laboratory": "diagnostic_lab",
        "PHC": "primary_health_center",
        "Eye-Care Centre": "eye_care_center",
    }
    rows = [
        f"{tag}-{n},Site {n},,411001,{written},,,,,,,,,,,,"
        for n, written in enumerate(spellings, start=1)
    ]
    report = _upload(client, auth("platform_admin"), "\n".join([HEADER, *rows, ""]).encode()).json()
    assert (report["created"], report["failed"]) == (len(spellings), 0), report["errors"]
    with system_session() as db:
        stored = dict(
            db.execute(
                text(
                    "SELECT external_id, facility_type FROM healthcare_facilities "
                    "WHERE external_id LIKE :x"
                ),
                {"x": f"{tag}-%"},
            ).all()
        )
    assert [stored[f"{tag}-{n}"] for n in range(1, len(spellings) + 1)] == list(spellings.values())


def test_a_row_with_three_problems_reports_all_three(client, auth):
    tag = f"IMP{uuid.uuid4().hex[:6]}"
    row = f"{tag}-1,Three Problems Clinic,,41100,spaceport,many,,,,,,,,,,,"
    report = _upload(client, auth("platform_admin"), f"{HEADER}\n{row}\n".encode()).json()
    assert report["failed"] == 1
    assert {(e["row"], e["column"]) for e in report["errors"]} == {
        (2, "pincode"),
        (2, "facility_type"),
        (2, "bed_count"),
    }
