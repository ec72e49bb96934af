"""Award to contract, purchase order and order; fulfilment to devices in the buyer's
registry under the contract; competing OEMs and wrong sides kept out."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from sqlalchemy import text

from services.db import system_session, tenant_session
from services.geo.models import HealthcareFacility
from services.tenancy.models import Tenant
from tests.orders.records import SHIPMENT, goods_receipt, installation_report
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

LAKH = 1_00_000_00  # ₹1 lakh in paise


@pytest.fixture(scope="module")
def site(market):  # noqa: F811
    with tenant_session(market.buyer.actor) as db:
        place = HealthcareFacility(
            tenant_id=market.buyer.tenant.id,
            name="Award test site",
            pincode="560034",
            facility_type="hospital",
        )
        db.add(place)
        db.flush()
        return str(place.id)


@pytest.fixture(scope="module")
def awarded(client, market, site):  # noqa: F811
    with system_session() as db:  # the seller is registered in the delivery state
        db.get(Tenant, market.oem_a.tenant.id).state = "Karnataka"
    rfq_id = raise_rfq(client, market, deliveryPincode="560034")
    quote_a = send_quote(
        client, market, "oem_a", rfq_id, 18 * LAKH, 19 * LAKH, cmcYears=5, cmcAnnualPaise=2 * LAKH
    )
    send_quote(client, market, "oem_b", rfq_id, 17 * LAKH, 18 * LAKH)
    response = client.post(
        f"/api/v1/rfqs/{rfq_id}/award",
        headers=market.headers["buyer"],
        json={"quoteId": quote_a["quoteId"], "slaTier": "platinum", "facilityId": site},
    )
    assert response.status_code == 201, response.text
    return rfq_id, quote_a, response.json()


def test_award_writes_the_contract_po_and_order_and_rejects_the_rest(
    client,
    market,  # noqa: F811
    awarded,
):
    rfq_id, quote_a, result = awarded
    assert result["status"] == "awarded" and result["rejectedQuotes"] == 1
    rfq = client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["buyer"]).json()
    assert rfq["status"] == "awarded"
    with tenant_session(market.buyer.actor) as db:
        contract = db.execute(
            text(
                "SELECT seller_tenant_id, sla_tier, value_paise, status FROM contract WHERE id = :c"
            ),
            {"c": result["contractId"]},
        ).one()
        po = db.execute(
            text(
                "SELECT subtotal_paise, cgst_paise, sgst_paise, igst_paise, "
                "total_paise, place_of_supply FROM purchase_order WHERE id = :p"
            ),
            {"p": result["purchaseOrderId"]},
        ).one()
        quoted = db.execute(
            text("SELECT amount_paise, gst_paise FROM quote WHERE id = :q"),
            {"q": quote_a["quoteId"]},
        ).one()
        statuses = dict(
            db.execute(
                text("SELECT tenant_id::text, status FROM quote WHERE rfq_id = :r AND is_current"),
                {"r": rfq_id},
            ).all()
        )
    net, gst = quoted.amount_paise, quoted.gst_paise
    assert contract.seller_tenant_id == market.oem_a.tenant.id
    assert contract.sla_tier == "platinum" and contract.status == "active"
    assert contract.value_paise == net + gst + 5 * 2 * LAKH
    assert po.subtotal_paise == net and po.igst_paise == 0  # within Karnataka
    assert po.cgst_paise + po.sgst_paise == gst
    assert po.total_paise == net + gst and po.place_of_supply == "Karnataka"
    assert statuses == {
        str(market.oem_a.tenant.id): "accepted",
        str(market.oem_b.tenant.id): "rejected",
    }
    again = client.post(
        f"/api/v1/rfqs/{rfq_id}/award",
        headers=market.headers["buyer"],
        json={"quoteId": quote_a["quoteId"]},
    )
    assert again.status_code == 409


def test_the_po_prints_with_its_gst_split(client, market, awarded, tmp_path):  # noqa: F811
    _rfq, _quote, result = awarded
    url = f"/api/v1/purchase-orders/{result['purchaseOrderId']}.pdf"
    pdf = client.get(url, headers=market.headers["oem_a"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "po.pdf").write_bytes(pdf.content)
    words = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "po.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert result["purchaseOrder"] in words and "CGST" in words and "SGST" in words
    assert "IGST" not in words and market.sku_a.code in words
    assert client.get(url, headers=market.headers["oem_b"]).status_code == 404


def test_fulfilment_puts_the_devices_in_the_buyers_registry(client, market, awarded):  # noqa: F811
    rfq_id, _quote, result = awarded
    url = f"/api/v1/orders/{result['orderId']}/status"
    seller, buyer = market.headers["oem_a"], market.headers["buyer"]
    assert (
        client.get(
            f"/api/v1/orders/{result['orderId']}", headers=market.headers["oem_b"]
        ).status_code
        == 404
    )
    early = client.post(url, headers=buyer, json={"status": "installed"})
    assert early.status_code == 409 and "shipped" in early.json()["error"]["message"]
    wrong_side = client.post(url, headers=buyer, json={"status": "shipped", "serials": {}})
    assert wrong_side.status_code == 403
    serials = {
        market.sku_a.code: [f"A-{uuid.uuid4().hex[:8]}" for _ in range(2)],
        market.sku_b.code: [f"B-{uuid.uuid4().hex[:8]}"],
    }
    short = client.post(
        url,
        headers=seller,
        json={"status": "shipped", "serials": {**serials, market.sku_a.code: ["ONLY-ONE"]}},
    )
    assert short.status_code == 400
    assert short.json()["error"]["field"] == f"serials.{market.sku_a.code}"
    for headers, status, extra in (
        (seller, "shipped", {"serials": serials, "shipment": SHIPMENT}),
        (buyer, "delivered", {"goodsReceipt": goods_receipt()}),
        (buyer, "installed", {"installationReport": installation_report()}),
    ):
        moved = client.post(url, headers=headers, json={"status": status, **extra})
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status
    assert [step["status"] for step in moved.json()["timeline"]] == [
        "confirmed",
        "shipped",
        "delivered",
        "installed",
    ]
    with tenant_session(market.buyer.actor) as db:
        devices = db.execute(
            text(
                "SELECT serial_number, contract_id::text, current_sla, manufacturer_tenant_id "
                "FROM equipment WHERE contract_id = :c ORDER BY serial_number"
            ),
            {"c": result["contractId"]},
        ).all()
    assert sorted(d.serial_number for d in devices) == sorted(
        serials[market.sku_a.code] + serials[market.sku_b.code]
    )
    assert {d.current_sla for d in devices} == {"platinum"}
    assert client.get(f"/api/v1/rfqs/{rfq_id}", headers=buyer).json()["status"] == "closed"


def test_the_seller_cannot_sign_off_installation_even_in_sql(market, awarded):  # noqa: F811
    _rfq, _quote, result = awarded
    with (
        pytest.raises(Exception, match="the seller ships"),
        tenant_session(market.oem_a.actor) as db,
    ):
        db.execute(
            text("UPDATE sales_order SET status = 'installed' WHERE id = :o"),
            {"o": result["orderId"]},
        )


def test_another_buyer_sees_none_of_it_even_in_sql(market, awarded):  # noqa: F811
    from services.actor import Role, TenantKind
    from tests.factories import make_org

    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    with tenant_session(stranger.actor) as db:
        for table in ("contract", "purchase_order", "sales_order"):
            assert db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
    with tenant_session(market.oem_b.actor) as db:  # the OEM that lost the award
        for table in ("contract", "purchase_order", "sales_order"):
            assert (
                db.execute(
                    text(f"SELECT count(*) FROM {table} WHERE tenant_id = :b"),
                    {"b": market.buyer.tenant.id},
                ).scalar_one()
                == 0
            ), table


def test_an_awarded_deal_trains_the_price_band_in_a_worker(market, awarded, tmp_path):  # noqa: F811
    import json
    import time

    from services.common.tasks import send_task
    from services.orders.deals import closed_deals
    from services.pricing.model import default_directory
    from tests.workers import celery_running

    _rfq, quote_a, _result = awarded
    with system_session() as db:
        deals = closed_deals(db)
        agreed = db.execute(
            text("SELECT lines FROM quote WHERE id = :q"), {"q": quote_a["quoteId"]}
        ).scalar_one()
    units = {li["skuCode"]: li["netPaise"] // li["qty"] for li in agreed}
    mine = [
        d
        for d in deals
        if d["agreed_unit_price_paise"] in units.values() and d["category"] == "Ultrasound"
    ]
    assert len(mine) >= 2 and {d["buyer_type"] for d in mine} == {"large_private_chain"}
    meta = default_directory() / "meta.json"
    before = meta.stat().st_mtime if meta.exists() else 0
    with celery_running(tmp_path):
        send_task("pricing.retrain")
        deadline = time.monotonic() + 120
        while not (meta.exists() and meta.stat().st_mtime > before):
            assert time.monotonic() < deadline, "the model was not retrained"
            time.sleep(0.5)
    assert json.loads(meta.read_text())["rows"]["platform"] >= len(mine)


def test_bad_awards_are_refused_naming_the_field(client, market, site):  # noqa: F811
    rfq_id = raise_rfq(client, market)
    quote = send_quote(client, market, "oem_a", rfq_id, 18 * LAKH, 19 * LAKH)
    url = f"/api/v1/rfqs/{rfq_id}/award"
    with tenant_session(market.oem_a.actor) as db:  # a site that is not the buyer's
        theirs = HealthcareFacility(
            tenant_id=market.oem_a.tenant.id,
            name="OEM depot",
            pincode="560034",
            facility_type="hospital",
        )
        db.add(theirs)
        db.flush()
        theirs = str(theirs.id)
    cases = [
        ({"quoteId": quote["quoteId"], "slaTier": "diamond", "facilityId": site}, "slaTier"),
        ({"quoteId": quote["quoteId"], "facilityId": theirs}, "facilityId"),
        ({"quoteId": str(uuid.uuid4()), "facilityId": site}, "quoteId"),
        ({"quoteId": quote["quoteId"]}, "facilityId"),
    ]
    for body, field in cases:
        response = client.post(url, headers=market.headers["buyer"], json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["field"] == field
    assert client.post(url, headers=market.headers["oem_a"], json=cases[0][0]).status_code == 403
    status = client.get(f"/api/v1/rfqs/{rfq_id}", headers=market.headers["buyer"]).json()
    assert status["status"] == "negotiating"  # nothing was awarded
