"""Reading manufacturers' CSV and XLSX files, and what bad files are told."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from services.db import system_session, tenant_session
from services.devices import bulk
from services.devices.imports import (
    MAX_UNPACKED_BYTES,
    FacilityLookup,
    parse_day_first,
    read_device_file,
)
from services.devices.models import DeviceRegistrationBatch
from services.errors import Invalid, NotFound, TooLarge
from services.geo.facilities import facility_code, list_facilities
from services.geo.models import HealthcareFacility
from services.identity.service import authenticate


def test_csv_with_loose_headers_and_semicolons():
    content = (
        "Serial Number;SKU;Installation Date\nSN-1;MVI-US9;2025-01-02\n\nSN-2;MVI-DR2;\n"
    ).encode("utf-8-sig")
    assert read_device_file("erp.csv", content) == [
        {"serialNumber": "SN-1", "skuCode": "MVI-US9", "installationDate": "2025-01-02"},
        {"serialNumber": "SN-2", "skuCode": "MVI-DR2"},
    ]


def test_xlsx_with_dates_and_numbers():
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["serial_number", "sku_code", "installationDate"])
    sheet.append([12345, "MVI-US9", datetime(2025, 3, 4)])
    out = io.BytesIO()
    book.save(out)
    assert read_device_file("erp.xlsx", out.getvalue()) == [
        {"serialNumber": "12345", "skuCode": "MVI-US9", "installationDate": "2025-03-04"}
    ]


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("devices.pdf", b"%PDF", ".csv or .xlsx"),
        ("devices.csv", b"", "empty"),
        ("devices.csv", b"serial,model\nA,B\n", "skuCode"),
        ("devices.csv", b"serialNumber,skuCode\n", "no device rows"),
        ("devices.csv", "serialNumber,skuCode\nA,\xe9\n".encode("latin-1"), "UTF-8"),
        ("devices.xlsx", b"not a zip", "readable .xlsx"),
    ],
)
def test_bad_files_say_what_to_fix(name, content, reason):
    with pytest.raises(Invalid) as error:
        read_device_file(name, content)
    assert error.value.field == "file"
    assert reason in error.value.reason


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_unread():
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        zeros = b"\0" * 2**20
        for _ in range(MAX_UNPACKED_BYTES // 2**20 + 1):
            member.write(zeros)
    assert len(packed.getvalue()) < 2**20  # small on the wire
    with pytest.raises(TooLarge):
        read_device_file("devices.xlsx", packed.getvalue())


@pytest.mark.parametrize(
    "written,day",
    [
        ("21/09/2025", date(2025, 9, 21)),
        ("21-09-2025", date(2025, 9, 21)),
        ("1.2.2025", date(2025, 2, 1)),
        ("2025-09-21", date(2025, 9, 21)),
        ("2025-09-21T00:00:00", date(2025, 9, 21)),
    ],
)
def test_dates_are_read_day_first_or_iso(written, day):
    assert parse_day_first(written) == day


@pytest.mark.parametrize("written", ["31/02/2025", "09/21/2025", "21 Sept 2025", "2025/09/21"])
def test_a_date_that_is_not_a_day_first_date_is_refused(written):
    with pytest.raises(ValueError):
        parse_day_first(written)


def _site(name: str, external_id: str | None = None) -> HealthcareFacility:
    return HealthcareFacility(
        id=uuid.uuid4(),
        name=name,
        pincode="110029",
        facility_type="hospital",
        external_id=external_id,
    )


def test_a_facility_is_found_by_code_id_or_name():
    north = _site("Sanjeevani  North Wing", "SNJ-N")
    south = _site("Sanjeevani South Wing")
    lookup = FacilityLookup([north, south])
    assert lookup.find("snj-n") is north
    assert lookup.find(facility_code(south)) is south
    assert lookup.find(facility_code(south).lower()) is south
    assert lookup.find(str(north.id)) is north
    assert lookup.find(" sanjeevani north wing ") is north
    with pytest.raises(NotFound):
        lookup.find("Apollo")


def test_a_name_several_sites_share_asks_for_a_code():
    first, second = _site("City Hospital", "CH-1"), _site("City Hospital", "CH-2")
    with pytest.raises(Invalid) as refused:
        FacilityLookup([first, second]).find("city hospital")
    assert refused.value.field == "facility" and "CH-1, CH-2" in refused.value.message


def test_the_facility_column_takes_a_code_or_a_name():
    content = b"Serial;SKU;Facility Code;Installed on\nSN-1;MVI-US9;SNJ-N;21/09/2025\n"
    assert read_device_file("erp.csv", content) == [
        {
            "serialNumber": "SN-1",
            "skuCode": "MVI-US9",
            "facility": "SNJ-N",
            "installationDate": "21/09/2025",
        }
    ]


def _run_batch(actor, rows: list[dict]) -> dict:
    with tenant_session(actor) as db:
        batch, _ = bulk.start_batch(db, actor, actor.tenant_id, f"T-{uuid.uuid4().hex[:8]}", rows)
    with tenant_session(actor) as db:
        bulk.process_chunk(db, actor, batch.id, 1, len(rows))
    with tenant_session(actor) as db:
        return bulk.batch_view(db, db.get(DeviceRegistrationBatch, batch.id))


def test_rows_name_sites_by_code_or_name_with_day_first_dates_and_every_problem_is_told():
    oem = authenticate("oem_admin@demo.yantra.in", "yantra-demo")
    with tenant_session(oem) as db:
        site = next(f for f in list_facilities(db, oem, limit=200) if f["pincode"] == "110029")
    tag = uuid.uuid4().hex[:6].upper()
    rows = [
        {
            "serialNumber": f"IMP-{tag}-1",
            "skuCode": "MVI-PM12",
            "facility": site["code"],
            "installationDate": "21/09/2025",
        },
        {
            "serialNumber": f"IMP-{tag}-2",
            "skuCode": "mvi-pm12",
            "facility": site["name"].upper(),
            "installationDate": "21-09-2025",
        },
        {
            "serialNumber": "",
            "skuCode": "NOPE-1",
            "facility": site["code"],
            "installationDate": "31/02/2025",
        },
        {
            "serialNumber": f"IMP-{tag}-4",
            "skuCode": "MVI-PM12",
            "facility": "Nowhere Clinic",
            "installationDate": "2025-09-21",
            "udi": "garbage",
        },
    ]
    view = _run_batch(oem, rows)
    assert (view["processedDevices"], view["failedDevices"]) == (2, 2)
    three, two = view["errors"]
    assert three["row"] == 3 and len(three["error"].split(" | ")) == 3, three["error"]
    assert "serialNumber" in three["error"] and "NOPE-1" in three["error"]
    assert "31/02/2025" in three["error"] and "day first" in three["error"]
    assert two["row"] == 4 and len(two["error"].split(" | ")) == 2, two["error"]
    assert "Nowhere Clinic" in two["error"]
    with system_session() as db:
        placed = db.execute(
            text("SELECT facility_id, install_date FROM equipment WHERE serial_number LIKE :p"),
            {"p": f"IMP-{tag}-%"},
        ).all()
    assert {(str(f), d) for f, d in placed} == {(site["id"], date(2025, 9, 21))}
