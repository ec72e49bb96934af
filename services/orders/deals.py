"""The platform's closed deals as training rows for the price-band model.

A deal is closed when an RFQ is awarded: each line of the awarded quote, with what was
agreed per unit after discount, the SKU's category and list price, the quantity, the
delivery city's tier, the buyer's kind, the warranty and CMC years, how many OEMs were
asked, and the month it closed. Only the model sees these rows; a tip shows a band,
never another buyer's deal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import IST
from services.pricing.deals import buyer_type_of, delivery_tier


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
