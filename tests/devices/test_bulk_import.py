"""A manufacturer imports 10,000 devices through a real Celery worker."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from services.db import system_session
from tests.workers import celery_running

ROWS = 10_000


def _rows(prefix: str, facility_id: str) -> tuple[list[dict], dict[int, str]]:
    """10,000 rows of which 1% are bad in different ways; returns rows and the bad ones."""
    kinds = ["unknown SKU", "missing serial", "bad date", "repeated serial", "unknown facility"]
    rows, bad = [], {}
    for n in range(1, ROWS + 1):
        row = {
            "serialNumber": f"{prefix}-{n:05d}",
            "skuCode": "MVI-PM12",
            "facilityId": facility_id,
            "installationDate": "2025-06-01",
        }
        if n % 100 == 0:
            kind = kinds[(n // 100) % len(kinds)]
            bad[n] = kind
            if kind == "unknown SKU":
                row["skuCode"] = "NOPE-1"
            elif kind == "missing serial":
                row["serialNumber"] = ""
            elif kind == "bad date":
                row["installationDate"] = "31-02-2025"
            elif kind == "repeated serial":
                row["serialNumber"] = f"{prefix}-{n - 1:05d}"
            else:
                row["facilityId"] = str(uuid.uuid4())
        rows.append(row)
    return rows, bad


def _wait_for(client, headers, batch_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = client.get(f"/api/v1/devices/batches/{batch_id}", headers=headers).json()
        if view["status"].startswith("completed") and view["qrBatchUrl"]:
            return view
        time.sleep(1)
    pytest.fail(f"the batch did not finish in {timeout}s: {view}")


def test_bulk_import_registers_good_rows_once_and_reports_bad_ones(
    client, auth, hospital_site, tmp_path: Path
):
    me = client.get("/api/v1/me", headers=auth("oem_admin")).json()
    prefix = f"BULK{uuid.uuid4().hex[:6].upper()}"
    rows, bad = _rows(prefix, hospital_site["id"])
    body = {"manufacturerId": me["tenantId"], "batchId": f"ERP-{prefix}", "devices": rows}
    with celery_running(tmp_path):
        started = client.post("/api/v1/devices/bulk-import", json=body, headers=auth("oem_admin"))
        assert started.status_code == 201, started.text
        batch_id = started.json()["batchId"]
        view = _wait_for(client, auth("oem_admin"), batch_id)
        again = client.post("/api/v1/devices/bulk-import", json=body, headers=auth("oem_admin"))
        assert again.status_code == 200 and again.json()["batchId"] == batch_id

    assert view["totalDevices"] == ROWS
    assert view["failedDevices"] == len(bad) == 100
    assert view["processedDevices"] == ROWS - len(bad)
    errors = client.get(
        f"/api/v1/devices/batches/{batch_id}/errors.csv", headers=auth("oem_admin")
    ).text.splitlines()
    assert errors[0] == "row,serialNumber,skuCode,error"
    reported = {int(line.split(",")[0]) for line in errors[1:]}
    assert reported == set(bad)
    with system_session() as db:
        registered = db.execute(
            text(
                "SELECT count(*), count(DISTINCT serial_number) FROM equipment "
                "WHERE serial_number LIKE :p"
            ),
            {"p": f"{prefix}-%"},
        ).one()
        labels = db.execute(
            text(
                "SELECT count(*) FROM qr_code q JOIN equipment e ON e.id = q.device_id "
                "WHERE e.serial_number LIKE :p AND q.status = 'active'"
            ),
            {"p": f"{prefix}-%"},
        ).scalar_one()
    assert tuple(registered) == (ROWS - len(bad), ROWS - len(bad))
    assert labels == ROWS - len(bad)

    kit = client.get(view["qrBatchUrl"], headers=auth("oem_admin"))
    assert kit.status_code == 200 and kit.content[:5] == b"%PDF-"
    pdf = tmp_path / "kit.pdf"
    pdf.write_bytes(kit.content)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    label_sheets = -(-(ROWS - len(bad)) // 21)
    assert int(pages.split("Pages:")[1].split()[0]) >= label_sheets + 1
