"""Reading manufacturers' CSV and XLSX files, and what bad files are told."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from services.devices.imports import MAX_UNPACKED_BYTES, read_device_file
from services.errors import Invalid, TooLarge


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
