"""Award to contract, purchase order and order, then fulfilment to installed devices.

Awarding a quote (the buyer's admin, on a negotiating RFQ) accepts it and rejects the
other OEMs' current quotes, and in the same transaction writes:
- the contract: parties, lines, value, SLA tier, warranty and CMC terms, dates. The service
  side reads it: devices installed under it carry its SLA tier and point at it;
- the purchase order, with the GST split by place of supply (CGST + SGST when the seller
  is registered in the delivery state, IGST otherwise), printable as a PDF;
- the order, `confirmed`.

Fulfilment: the seller ships with the serial numbers of the delivery challan
(`shipped`); the buyer receives (`delivered`) and signs off installation (`installed`),
which registers every serial as a device in the buyer's registry at the delivery site,
under the contract's SLA tier, and closes the RFQ. The buyer may cancel before shipping.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.catalog.models import Sku
from services.columns import utcnow
from services.common.clock import IST, today_ist
from services.common.roles import AWARDERS, BUYERS, SUPPLIERS
from services.contracts.models import Contract
from services.devices.registry import SLA_TIERS, RegisterDevice, check_serial, register_device
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.orders import acceptance
from services.orders.models import PurchaseOrder, SalesOrder
from services.rfq.machine import check_rfq_transition
from services.rfq.models import Quote, Rfq
from services.tenancy.service import directory

# (from, to) -> the side that may make the move
MOVES = {
    ("confirmed", "shipped"): "seller",
    ("shipped", "delivered"): "buyer",
    ("delivered", "installed"): "buyer",
    ("confirmed", "cancelled"): "buyer",
}


@dataclass
class Award:
    quote_id: uuid.UUID
    sla_tier: str = "gold"
    facility_id: uuid.UUID | None = None


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _gst_split(db: Session, rfq: Rfq, seller_id: uuid.UUID, gst: int) -> dict[str, Any]:
    supply = (
        db.execute(
            text("SELECT state FROM indian_pincodes WHERE pincode = :p"),
            {"p": rfq.delivery_pincode},
        ).scalar()
        if rfq.delivery_pincode
        else None
    )
    supply = supply or db.execute(text("SELECT tenant_state(:t)"), {"t": rfq.tenant_id}).scalar()
    seller = db.execute(text("SELECT tenant_state(:t)"), {"t": seller_id}).scalar()
    same = bool(supply and seller and supply.strip().upper() == seller.strip().upper())
    cgst = gst // 2 if same else 0
    return {
        "place_of_supply": supply.title() if supply else None,
        "seller_state": seller,
        "cgst_paise": cgst,
        "sgst_paise": gst - cgst if same else 0,
        "igst_paise": 0 if same else gst,
    }


def award_quote(db: Session, actor: Actor, rfq_id: uuid.UUID, cmd: Award) -> dict[str, Any]:
    """Award the RFQ to one quote (see the module docstring). Raises Forbidden, NotFound,
    Invalid (slaTier, facilityId, quoteId) or Conflict (RFQ not negotiating, quote no
    longer current or past its validity)."""
    actor.require(*AWARDERS)
    rfq = db.get(Rfq, rfq_id, with_for_update=True)
    if rfq is None or rfq.tenant_id != actor.tenant_id:
        raise NotFound("No such RFQ of yours")
    check_rfq_transition(rfq.status, "awarded")
    if cmd.sla_tier not in SLA_TIERS:
        raise Invalid("slaTier", f"must be one of {', '.join(SLA_TIERS)}")
    quote = db.get(Quote, cmd.quote_id)
    if quote is None or quote.rfq_id != rfq.id:
        raise Invalid("quoteId", "is not a quote of this RFQ")
    if not quote.is_current or quote.status != "submitted":
        raise Conflict(f"That quote is {quote.status}; award the OEM's current quote")
    if quote.valid_until and quote.valid_until < today_ist():
        raise Conflict("That quote's validity has run out; ask the OEM to revise it")
    facility_id = cmd.facility_id or rfq.buyer_facility_id
    if facility_id is None:
        raise Invalid("facilityId", "say which of your sites the devices go to")
    _own_facility(db, actor, facility_id)
    try:
        rejected = db.execute(
            text("SELECT rfq_award(:r, :q)"), {"r": rfq.id, "q": quote.id}
        ).scalar_one()
    except DBAPIError as exc:
        raise Conflict("The quote could not be awarded: " + str(exc.orig).split("\n")[0]) from exc
    db.refresh(quote)
    today = today_ist()
    cmc_total = quote.cmc_years * quote.cmc_annual_paise
    terms = {
        "lines": quote.lines,
        "warrantyYears": quote.warranty_years,
        "cmcYears": quote.cmc_years,
        "cmcAnnualPaise": quote.cmc_annual_paise,
        "leadTimeDays": quote.lead_time_days,
        "discountPct": str(quote.discount_pct),
        "amountPaise": quote.amount_paise,
        "gstPaise": quote.gst_paise,
        "deliveryPincode": rfq.delivery_pincode,
        "quoteRevision": quote.revision,
    }
    contract = Contract(
        tenant_id=rfq.tenant_id,
        seller_tenant_id=quote.tenant_id,
        rfq_id=rfq.id,
        quote_id=quote.id,
        kind="supply",
        status="active",
        sla_tier=cmd.sla_tier,
        starts_on=today,
        ends_on=_years_later(today, max(1, quote.warranty_years + quote.cmc_years)),
        terms=terms,
        signed_at=utcnow(),
        value_paise=quote.amount_paise + quote.gst_paise + cmc_total,
    )
    db.add(contract)
    db.flush()
    db.refresh(contract)
    po = PurchaseOrder(
        tenant_id=rfq.tenant_id,
        seller_tenant_id=quote.tenant_id,
        contract_id=contract.id,
        rfq_id=rfq.id,
        quote_id=quote.id,
        lines=quote.lines,
        subtotal_paise=quote.amount_paise,
        total_paise=quote.amount_paise + quote.gst_paise,
        terms={
            k: terms[k]
            for k in (
                "warrantyYears",
                "cmcYears",
                "cmcAnnualPaise",
                "leadTimeDays",
                "deliveryPincode",
            )
        }
        | {
            "requiredBy": rfq.required_by.isoformat() if rfq.required_by else None,
            "rfq": rfq.label,
            "rfqTerms": rfq.terms,
        },
        issued_by=actor.user_id,
        **_gst_split(db, rfq, quote.tenant_id, quote.gst_paise),
    )
    db.add(po)
    db.flush()
    db.refresh(po)
    order = SalesOrder(
        tenant_id=rfq.tenant_id,
        seller_tenant_id=quote.tenant_id,
        contract_id=contract.id,
        purchase_order_id=po.id,
        facility_id=facility_id,
        lines=[
            {
                "skuId": li["skuId"],
                "skuCode": li["skuCode"],
                "skuName": li["skuName"],
                "qty": li["qty"],
                "serials": [],
            }
            for li in quote.lines
        ],
        timeline=[{"status": "confirmed", "at": utcnow().isoformat(), "by": str(actor.user_id)}],
    )
    db.add(order)
    rfq.status, rfq.updated_at = "awarded", utcnow()
    db.add(rfq)
    db.flush()
    db.refresh(order)
    audit.record(
        db,
        actor,
        "rfq.award",
        "rfq",
        rfq.id,
        f"{rfq.label} awarded: {contract.label}, {po.label}, {order.label}",
    )
    emit(db, actor, "RFQStatusChanged", "rfq", rfq.id, {"from": "negotiating", "to": "awarded"})
    emit(
        db,
        actor,
        "QuoteAccepted",
        "quote",
        quote.id,
        {"rfqId": str(rfq.id), "oemId": str(quote.tenant_id), "rejected": rejected},
    )
    emit(
        db,
        actor,
        "ContractSigned",
        "contract",
        contract.id,
        {
            "number": contract.label,
            "sellerId": str(quote.tenant_id),
            "slaTier": cmd.sla_tier,
            "valuePaise": contract.value_paise,
        },
    )
    emit(
        db,
        actor,
        "PurchaseOrderIssued",
        "purchase_order",
        po.id,
        {"number": po.label, "totalPaise": po.total_paise, "orderId": str(order.id)},
    )
    return {
        "rfqId": str(rfq.id),
        "status": "awarded",
        "contractId": str(contract.id),
        "contract": contract.label,
        "purchaseOrderId": str(po.id),
        "purchaseOrder": po.label,
        "orderId": str(order.id),
        "order": order.label,
        "rejectedQuotes": rejected,
    }


def _own_facility(db: Session, actor: Actor, facility_id: uuid.UUID) -> None:
    owner = db.execute(
        text("SELECT tenant_id FROM healthcare_facilities WHERE id = :f"), {"f": facility_id}
    ).scalar()
    if owner != actor.tenant_id:
        raise Invalid("facilityId", "is not one of your sites")


def _side(actor: Actor, order: SalesOrder) -> str:
    if actor.tenant_id == order.tenant_id and actor.roles & BUYERS:
        return "buyer"
    if actor.tenant_id == order.seller_tenant_id and actor.roles & SUPPLIERS:
        return "seller"
    raise Forbidden("your roles cannot move this order")


def _check_serials(order: SalesOrder, serials: Any) -> list[dict[str, Any]]:
    """The order's lines with exactly `qty` distinct serials each, from
    `{skuCode: [serial, ...]}`. Raises Invalid naming the line."""
    if not isinstance(serials, dict):
        raise Invalid("serials", "give the serial numbers per SKU code, as on the challan")
    seen: set[str] = set()
    lines = []
    for line in order.lines:
        given = serials.get(line["skuCode"])
        where = f"serials.{line['skuCode']}"
        if not isinstance(given, list) or len(given) != line["qty"]:
            raise Invalid(where, f"give exactly {line['qty']} serial numbers")
        checked = []
        for serial in given:
            try:
                serial = check_serial(str(serial))
            except Invalid as exc:
                raise Invalid(where, exc.message) from exc
            if serial in seen:
                raise Invalid(where, f"serial {serial} is given twice")
            seen.add(serial)
            checked.append(serial)
        lines.append({**line, "serials": checked})
    return lines


def move_order(
    db: Session,
    actor: Actor,
    order_id: uuid.UUID,
    status: str,
    serials: Any = None,
    note: str = "",
    record: Any = None,
) -> SalesOrder:
    """Move an order one step (see MOVES). Shipping needs the serials and the shipment
    (transporter, docket number); delivery the goods-received note; installation the
    installation report, and it registers the devices (services/orders/acceptance.py
    checks each record). Raises Forbidden, NotFound, Invalid (naming the field) or
    Conflict (naming the allowed next steps)."""
    order = db.get(SalesOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound("No such order you can see")
    side = _side(actor, order)
    allowed = [to for (frm, to), who in MOVES.items() if frm == order.status]
    if (order.status, status) not in MOVES:
        raise Conflict(
            f"An order that is {order.status} cannot become {status}; allowed: "
            f"{', '.join(allowed) if allowed else 'none'}"
        )
    if MOVES[(order.status, status)] != side:
        raise Forbidden(f"the {MOVES[(order.status, status)]} moves an order to {status}")
    now = utcnow()
    record = record if isinstance(record, dict) else {}
    if status == "shipped":
        order.lines, order.shipped_at = _check_serials(order, serials), now
        order.shipment = acceptance.check_shipment(record)
        note = note or f"{order.shipment['transporter']}, docket {order.shipment['docketNumber']}"
    elif status == "delivered":
        ids = acceptance.check_photo_ids(
            db, order, "delivery", record.get("photoIds"), "goodsReceipt.photos"
        )
        order.goods_receipt = acceptance.check_goods_receipt(order, record, ids)
        order.delivered_at = now
        note = note or f"{order.goods_receipt['number']}: {order.goods_receipt['condition']}"
    elif status == "installed":
        ids = acceptance.check_photo_ids(
            db, order, "installation", record.get("photoIds"), "installationReport.photos"
        )
        order.installation_report = acceptance.check_installation_report(order, record, ids)
        _install(db, actor, order)
        order.installed_at = now
        note = note or "installation report signed by both sides"
    old, order.status, order.updated_at = order.status, status, now
    order.timeline = [
        *order.timeline,
        {"status": status, "at": now.isoformat(), "by": str(actor.user_id), "note": note[:300]},
    ]
    db.add(order)
    db.flush()
    audit.record(
        db, actor, f"order.{status}", "sales_order", order.id, f"{order.label}: {old} -> {status}"
    )
    emit(
        db,
        actor,
        "OrderShipped" if status == "shipped" else "OrderStatusChanged",
        "sales_order",
        order.id,
        {"from": old, "to": status, "number": order.label},
    )
    return order


def _install(db: Session, actor: Actor, order: SalesOrder) -> None:
    """Register every shipped serial as a device of the buyer under the contract."""
    contract = db.get(Contract, order.contract_id)
    today = today_ist()
    warranty_end = _years_later(today, max(1, contract.terms.get("warrantyYears", 1)))
    for line in order.lines:
        maker = db.get(Sku, uuid.UUID(line["skuId"]))
        for serial in line["serials"]:
            register_device(
                db,
                actor,
                RegisterDevice(
                    serial_number=serial,
                    sku_code=line["skuCode"],
                    facility_id=order.facility_id,
                    installation_date=today,
                    amc_status="warranty",
                    amc_start=today,
                    amc_end=warranty_end,
                    sla_tier=contract.sla_tier,
                    manufacturer_id=maker.tenant_id,
                    contract_id=contract.id,
                ),
            )
    rfq = db.get(Rfq, contract.rfq_id) if contract.rfq_id else None
    if rfq is not None and rfq.status == "awarded":
        check_rfq_transition(rfq.status, "closed")
        rfq.status, rfq.updated_at = "closed", utcnow()
        db.add(rfq)
        emit(db, actor, "RFQStatusChanged", "rfq", rfq.id, {"from": "awarded", "to": "closed"})


def order_json(db: Session, order: SalesOrder) -> dict[str, Any]:
    names = directory(db)
    po = db.get(PurchaseOrder, order.purchase_order_id)
    contract = db.get(Contract, order.contract_id)
    allowed = [to for (frm, to) in MOVES if frm == order.status]
    return {
        "orderId": str(order.id),
        "number": order.label,
        "status": order.status,
        "next": allowed,
        "buyerId": str(order.tenant_id),
        "buyer": names.get(order.tenant_id, ("", ""))[0],
        "sellerId": str(order.seller_tenant_id),
        "seller": names.get(order.seller_tenant_id, ("", ""))[0],
        "lines": order.lines,
        "timeline": order.timeline,
        "facilityId": str(order.facility_id) if order.facility_id else None,
        "purchaseOrderId": str(po.id),
        "purchaseOrder": po.label,
        "totalPaise": po.total_paise,
        "contractId": str(contract.id),
        "contract": contract.label,
        "slaTier": contract.sla_tier,
        "shipTo": acceptance.ship_to(db, order.facility_id),
        "shipment": order.shipment or None,
        "goodsReceipt": order.goods_receipt or None,
        "installationReport": order.installation_report or None,
        "photos": acceptance.photos(db, order.id),
        "leadTime": acceptance.lead_time(po.terms, po.issued_at.astimezone(IST).date()),
        "createdAt": order.created_at.isoformat(),
        "updatedAt": order.updated_at.isoformat(),
    }


def list_orders(db: Session, actor: Actor) -> list[dict[str, Any]]:
    """Orders the actor's organisation placed or fulfils, newest first."""
    rows = db.exec(select(SalesOrder).order_by(SalesOrder.created_at.desc()).limit(200))
    return [order_json(db, o) for o in rows]


def get_order(db: Session, order_id: uuid.UUID) -> SalesOrder:
    order = db.get(SalesOrder, order_id)
    if order is None:
        raise NotFound("No such order you can see")
    return order


def get_po(db: Session, po_id: uuid.UUID) -> PurchaseOrder:
    po = db.scalar(sa_select(PurchaseOrder).where(PurchaseOrder.id == po_id))
    if po is None:
        raise NotFound("No such purchase order you can see")
    return po
