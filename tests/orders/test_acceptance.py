"""Fulfilment leaves a paper trail on the order: the seller ships with a transporter and
docket number to the site it can now see; the buyer's delivery needs a goods-received
note (damage described and photographed); installation needs a report with the checks,
the training and both sides' signatures; and each record shows on the installed device."""

from __future__ import annotations

import io
import subprocess
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from services.common.clock import today_ist
from services.db import tenant_session
from services.devices.models import Equipment
from services.geo.models import HealthcareFacility
from services.orders.acceptance import device_acceptance
from tests.orders.records import SHIPMENT, goods_receipt, installation_report
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LAKH = 1_00_000_00


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def site(market):  # noqa: F811
    with tenant_session(market.buyer.actor) as db:
        place = HealthcareFacility(
            tenant_id=market.buyer.tenant.id,
            name="Acceptance test hospital",
            address="80 Feet Road, Koramangala 4th Block",
            pincode="560034",
            facility_type="hospital",
        )
        db.add(place)
        db.flush()
        return str(place.id)


@pytest.fixture(scope="module")
def order(client, market, site):  # noqa: F811
    """An order awarded on a quote whose 60-day lead time misses the 30-day required-by."""
    required = (today_ist() + timedelta(days=30)).isoformat()
    rfq_id = raise_rfq(client, market, deliveryPincode="560034", requiredBy=required)
    quote = send_quote(client, market, "oem_a", rfq_id, 18 * LAKH, 19 * LAKH, leadTimeDays=60)
    awarded = client.post(
        f"/api/v1/rfqs/{rfq_id}/award",
        headers=market.headers["buyer"],
        json={"quoteId": quote["quoteId"], "facilityId": site},
    )
    assert awarded.status_code == 201, awarded.text
    return awarded.json()["orderId"]


def _move(client, market, order_id, who, status, **body):  # noqa: F811
    return client.post(
        f"/api/v1/orders/{order_id}/status",
        headers=market.headers[who],
        json={"status": status, **body},
    )


def _serials(market):  # noqa: F811
    return {
        market.sku_a.code: [f"AC-{uuid.uuid4().hex[:8].upper()}" for _ in range(2)],
        market.sku_b.code: [f"AC-{uuid.uuid4().hex[:8].upper()}"],
    }


def test_the_seller_sees_the_ship_to_site_and_the_lead_time_miss(client, market, order):  # noqa: F811
    card = client.get(f"/api/v1/orders/{order}", headers=market.headers["oem_a"]).json()
    assert card["shipTo"]["name"] == "Acceptance test hospital"
    assert card["shipTo"]["address"].startswith("80 Feet Road")
    assert card["shipTo"]["pincode"] == "560034"
    assert card["leadTime"]["leadTimeDays"] == 60
    assert card["leadTime"]["requiredBy"] == (today_ist() + timedelta(days=30)).isoformat()
    assert card["leadTime"]["daysLate"] == 30


def test_fulfilment_keeps_each_record_on_the_order_and_the_device(client, market, order):  # noqa: F811
    serials = _serials(market)
    bare = _move(client, market, order, "oem_a", "shipped", serials=serials)
    assert bare.status_code == 400 and bare.json()["error"]["field"] == "shipment.transporter"
    no_docket = _move(
        client, market, order, "oem_a", "shipped", serials=serials,
        shipment={"transporter": "Safexpress", "docketNumber": "#"},
    )  # fmt: skip
    assert no_docket.json()["error"]["field"] == "shipment.docketNumber"
    shipped = _move(client, market, order, "oem_a", "shipped", serials=serials, shipment=SHIPMENT)
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["shipment"]["docketNumber"] == "SX-4471-2026"

    one_click = _move(client, market, order, "buyer", "delivered")
    assert one_click.status_code == 400
    assert one_click.json()["error"]["field"] == "goodsReceipt.receivedOn"
    refusals = {
        "goodsReceipt.receivedOn": goods_receipt(
            receivedOn=(today_ist() + timedelta(days=1)).isoformat()
        ),
        "goodsReceipt.damageNotes": goods_receipt(condition="damaged", damageNotes="bad"),
        "goodsReceipt.photos": goods_receipt(
            condition="damaged", damageNotes="Gantry cover cracked at the left corner"
        ),
        "goodsReceipt.receivedBy": goods_receipt(receivedBy=""),
        "goodsReceipt.condition": goods_receipt(condition="fine"),
    }
    for field, grn in refusals.items():
        refused = _move(client, market, order, "buyer", "delivered", goodsReceipt=grn)
        assert refused.status_code == 400, field
        assert refused.json()["error"]["field"] == field

    photo_url = f"/api/v1/orders/{order}/photos"
    files = {"file": ("crate.png", _png(), "image/png")}
    not_a_photo = client.post(
        photo_url, params={"kind": "delivery"}, headers=market.headers["buyer"],
        files={"file": ("crate.png", b"not an image", "image/png")},
    )  # fmt: skip
    assert not_a_photo.status_code == 400
    seller_photo = client.post(
        photo_url, params={"kind": "delivery"}, headers=market.headers["oem_a"], files=files
    )
    assert seller_photo.status_code == 403
    photo = client.post(
        photo_url, params={"kind": "delivery"}, headers=market.headers["buyer"], files=files
    )
    assert photo.status_code == 201, photo.text
    damaged = goods_receipt(
        condition="damaged",
        damageNotes="Gantry cover cracked at the left corner",
        photoIds=[photo.json()["photoId"]],
    )
    delivered = _move(client, market, order, "buyer", "delivered", goodsReceipt=damaged)
    assert delivered.status_code == 200, delivered.text
    grn = delivered.json()["goodsReceipt"]
    assert grn["number"].startswith("GRN-") and grn["condition"] == "damaged"
    assert [p["fileName"] for p in delivered.json()["photos"]] == ["crate.png"]
    seen = client.get(f"{photo_url}/{photo.json()['photoId']}", headers=market.headers["oem_a"])
    assert seen.status_code == 200 and seen.content == _png()

    for field, report in {
        "installationReport.checks": installation_report(checks=["site", "functional"]),
        "installationReport.training": installation_report(training=""),
        "installationReport.buyerSignature": installation_report(buyerSignature=" "),
        "installationReport.engineerName": installation_report(engineerName=""),
    }.items():
        refused = _move(client, market, order, "buyer", "installed", installationReport=report)
        assert refused.status_code == 400, field
        assert refused.json()["error"]["field"] == field
    installed = _move(
        client, market, order, "buyer", "installed", installationReport=installation_report()
    )
    assert installed.status_code == 200, installed.text
    report = installed.json()["installationReport"]
    assert report["buyer"]["name"] == "Dr. A. Rao, Head of Radiology"
    assert report["checks"] == ["site", "power", "functional", "safety"]

    with tenant_session(market.buyer.actor) as db:
        device = db.exec(
            Equipment.__table__.select().where(
                Equipment.serial_number == serials[market.sku_a.code][0]
            )
        ).first()
        shown = device_acceptance(db, db.get(Equipment, device.id))
    assert shown["goodsReceipt"]["number"] == grn["number"]
    assert shown["installationReport"]["engineer"]["name"] == "S. Iyer (OEM field engineer)"


def test_the_seller_cannot_write_the_goods_receipt_even_in_sql(market, order):  # noqa: F811
    with (
        pytest.raises(Exception, match="the seller ships"),
        tenant_session(market.oem_a.actor) as db,
    ):
        db.execute(
            text('UPDATE sales_order SET goods_receipt = \'{"condition": "good"}\' WHERE id = :o'),
            {"o": order},
        )


def test_the_po_states_the_lead_time_miss(client, market, order, tmp_path):  # noqa: F811
    card = client.get(f"/api/v1/orders/{order}", headers=market.headers["buyer"]).json()
    pdf = client.get(
        f"/api/v1/purchase-orders/{card['purchaseOrderId']}.pdf", headers=market.headers["buyer"]
    )
    assert pdf.status_code == 200
    path = tmp_path / "po.pdf"
    path.write_bytes(pdf.content)
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    required = today_ist() + timedelta(days=30)
    assert f"required by {required:%d %b %Y}" in words
    assert "misses the required-by date by 30 days" in words
