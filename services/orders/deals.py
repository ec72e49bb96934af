"""What an award is about, before and after: the preview the award dialog shows, and the
platform's closed deals as training rows for the price-band model.

The preview names exactly the revision being awarded (the agreed one after a negotiation),
its net price, GST and terms, the site it defaults to (the RFQ's facility, else the buyer's
site at the RFQ's delivery pincode) and a line per service tier.

A deal is closed when an RFQ is awarded: each line of the awarded quote, with what was
agreed per unit after discount, the SKU's category and list price, the quantity, the
delivery city's tier, the buyer's kind, the warranty and CMC years, how many OEMs were
asked, and the month it closed. Only the model sees these rows; a tip shows a band,
never another buyer's deal.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.common.clock import IST
from services.common.roles import AWARDERS
from services.errors import Invalid, NotFound
from services.pricing.deals import buyer_type_of, delivery_tier
from services.rfq.models import Quote, Rfq
from services.sla.service import DEFAULT_TARGETS
from services.tenancy.service import directory


def _hours(minutes: int) -> str:
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"


def service_tiers() -> list[dict[str, str]]:
    """One line per service tier: how fast a P1 and a P3 fault is answered and fixed."""
    return [
        {
            "tier": tier,
            "text": (
                f"{tier.title()}: a P1 breakdown answered in {_hours(t['P1'][0])} and fixed "
                f"within {_hours(t['P1'][1])}; routine faults (P3) answered in "
                f"{_hours(t['P3'][0])}"
            ),
        }
        for tier, t in DEFAULT_TARGETS.items()
    ]


def default_site(db: Session, rfq: Rfq) -> uuid.UUID | None:
    """The site an award delivers to unless the buyer picks another: the RFQ's facility,
    else the buyer's site at the RFQ's delivery pincode."""
    if rfq.buyer_facility_id is not None:
        return rfq.buyer_facility_id
    if not rfq.delivery_pincode:
        return None
    return db.execute(
        text("""
        SELECT id FROM healthcare_facilities
         WHERE tenant_id = :t AND pincode = :p ORDER BY name LIMIT 1"""),
        {"t": rfq.tenant_id, "p": rfq.delivery_pincode},
    ).scalar()


def award_preview(
    db: Session, actor: Actor, rfq_id: uuid.UUID, quote_id: uuid.UUID
) -> dict[str, Any]:
    """What awarding `quote_id` would award: its revision (and whether it is the agreed
    offer), net price, GST, terms, the default delivery site and the service tiers.
    Raises Forbidden (not an awarder), NotFound (not the actor's RFQ) or Invalid (quoteId
    not a quote of this RFQ)."""
    actor.require(*AWARDERS)
    rfq = db.get(Rfq, rfq_id)
    if rfq is None or rfq.tenant_id != actor.tenant_id:
        raise NotFound("No such RFQ of yours")
    quote = db.get(Quote, quote_id)
    if quote is None or quote.rfq_id != rfq.id:
        raise Invalid("quoteId", "is not a quote of this RFQ")
    site = default_site(db, rfq)
    return {
        "rfqId": str(rfq.id),
        "quoteId": str(quote.id),
        "oemName": directory(db).get(quote.tenant_id, ("", ""))[0],
        "revision": quote.revision,
        "isCurrent": quote.is_current,
        "isAgreed": quote.is_agreed,
        "netPaise": quote.amount_paise,
        "gstPaise": quote.gst_paise,
        "totalPaise": quote.amount_paise + quote.gst_paise,
        "warrantyYears": quote.warranty_years,
        "cmcYears": quote.cmc_years,
        "cmcAnnualPaise": quote.cmc_annual_paise,
        "leadTimeDays": quote.lead_time_days,
        "serviceTerms": quote.service_terms or {},
        "deliveryPincode": rfq.delivery_pincode,
        "facilityId": str(site) if site else None,
        "tiers": service_tiers(),
    }


def closed_deals(db: Session) -> list[dict[str, Any]]:
    """Every awarded quote line on the platform (read with the owner's session)."""
    rows = db.execute(
        text("""
        SELECT c.terms, c.signed_at, r.delivery_pincode, p.city, t.kind,
               (SELECT count(*) FROM rfq_recipient x WHERE x.rfq_id = r.id) AS asked
          FROM contract c
          JOIN rfq r ON r.id = c.rfq_id
          JOIN tenant t ON t.id = c.tenant_id
          LEFT JOIN indian_pincodes p ON p.pincode = r.delivery_pincode
         WHERE c.kind = 'supply' AND c.quote_id IS NOT NULL
         ORDER BY c.signed_at""")
    ).all()
    skus = {
        str(r.id): r for r in db.execute(text("SELECT id, category, list_price_paise FROM sku"))
    }
    deals = []
    for row in rows:
        tier = delivery_tier(row.delivery_pincode, row.city or "")
        for line in row.terms.get("lines", []):
            sku = skus.get(line["skuId"])
            if sku is None or not line["qty"] or sku.list_price_paise <= 0:
                continue
            deals.append(
                {
                    "category": sku.category,
                    "list_price_paise": sku.list_price_paise,
                    "quantity": line["qty"],
                    "city_tier": tier,
                    "buyer_type": buyer_type_of(row.kind),
                    "warranty_years": max(1, row.terms.get("warrantyYears", 1)),
                    "cmc_years": row.terms.get("cmcYears", 0),
                    "competing_quotes": max(1, row.asked),
                    "closed_on": row.signed_at.astimezone(IST).date(),
                    "agreed_unit_price_paise": line["netPaise"] // line["qty"],
                }
            )
    return deals
