"""Side-by-side comparison of an RFQ's current quotes by total cost of ownership.

Total cost of ownership = price after discount + GST + CMC (years x annual price).
Only quotes still in the running (submitted or accepted) are ranked; a tie keeps the
shorter lead time first, then the earlier submission. Every line names its cheapest offer.
"""

from __future__ import annotations

from typing import Any

from services.rfq.models import Quote

IN_RUNNING = ("submitted", "accepted")


def _summary(quote: Quote, names: dict) -> dict[str, Any]:
    return {
        "quoteId": str(quote.id),
        "oemId": str(quote.tenant_id),
        "oemName": names.get(quote.tenant_id, ("", ""))[0],
        "revision": quote.revision,
        "status": quote.status,
        "netPaise": quote.amount_paise,
        "gstPaise": quote.gst_paise,
        "cmcYears": quote.cmc_years,
        "cmcAnnualPaise": quote.cmc_annual_paise,
        "cmcTotalPaise": quote.cmc_total_paise,
        "totalPaise": quote.tco_paise,
        "leadTimeDays": quote.lead_time_days,
        "warrantyYears": quote.warranty_years,
        "validUntil": quote.valid_until.isoformat() if quote.valid_until else None,
    }


def _line_offers(items: list[dict], quotes: list[Quote], names: dict) -> list[dict[str, Any]]:
    lines = []
    for item in items:
        offers = []
        for quote in quotes:
            line = next((x for x in quote.lines if x.get("itemId") == item["itemId"]), None)
            if line is not None:
                offers.append(
                    {
                        "quoteId": str(quote.id),
                        "oemName": names.get(quote.tenant_id, ("", ""))[0],
                        "unitPricePaise": line["unitPricePaise"],
                        "discountPct": line["discountPct"],
                        "netPaise": line["netPaise"],
                        "gstPaise": line["gstPaise"],
                        "totalPaise": line["netPaise"] + line["gstPaise"],
                    }
                )
        cheapest = min((o["totalPaise"] for o in offers), default=None)
        for offer in offers:
            offer["isLowest"] = offer["totalPaise"] == cheapest
        lines.append(
            {
                "itemId": item["itemId"],
                "skuCode": item["skuCode"],
                "skuName": item["skuName"],
                "qty": item["qty"],
                "offers": offers,
            }
        )
    return lines


def compare_quotes(items: list[dict], quotes: list[Quote], names: dict) -> dict[str, Any]:
    """Rank the quotes in the running by total cost of ownership (1 = lowest) and flag the
    lowest; quotes out of the running (withdrawn, expired...) are listed unranked."""
    running = sorted(
        (q for q in quotes if q.status in IN_RUNNING),
        key=lambda q: (q.tco_paise, q.lead_time_days, q.created_at),
    )
    ranked = []
    for rank, quote in enumerate(running, start=1):
        entry = _summary(quote, names) | {
            "rank": rank,
            "isLowest": quote.tco_paise == running[0].tco_paise,
        }
        entry["aboveLowestPaise"] = quote.tco_paise - running[0].tco_paise
        ranked.append(entry)
    others = [
        _summary(q, names) | {"rank": None, "isLowest": False, "aboveLowestPaise": None}
        for q in quotes
        if q.status not in IN_RUNNING
    ]
    return {
        "quotes": ranked + others,
        "lines": _line_offers(items, running, names),
        "lowestQuoteId": ranked[0]["quoteId"] if ranked else None,
    }
