"""Side-by-side comparison of an RFQ's current quotes by total cost of ownership over one
service horizon.

Every quote is costed over the same horizon (HORIZON_YEARS from installation): the price
after discount, GST, and a year of CMC for every year of the horizon the warranty does not
cover. CMC years quoted beyond the horizon do not count. Years covered by neither the
warranty nor the quoted CMC are stated as uncovered and priced at the OEM's own CMC rate
(or, when it quoted none, at the highest CMC rate among the offers), so a short CMC never
looks cheaper than a long one. Only quotes still in the running (submitted or accepted)
are ranked; a tie keeps the shorter lead time first, then the earlier submission. Every
line names its cheapest offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.rfq.models import Quote

IN_RUNNING = ("submitted", "accepted")
HORIZON_YEARS = 10
HORIZON_TEXT = (
    f"Total cost over {HORIZON_YEARS} years: price after discount + GST + CMC for every year "
    "the warranty does not cover. CMC years beyond the horizon do not count; years with "
    "neither warranty nor quoted CMC are marked uncovered and priced at the OEM's CMC rate."
)


@dataclass(frozen=True)
class HorizonCost:
    """What one offer costs over the horizon, and how its years are covered."""

    horizon_years: int
    warranty_years: int  # within the horizon
    cmc_years: int  # quoted CMC years within the horizon
    uncovered_years: int  # neither warranty nor quoted CMC
    cmc_paise: int
    uncovered_paise: int
    total_paise: int


def horizon_cost(
    net_paise: int,
    gst_paise: int,
    warranty_years: int,
    cmc_years: int,
    cmc_annual_paise: int,
    *,
    horizon_years: int = HORIZON_YEARS,
    fallback_annual_paise: int = 0,
) -> HorizonCost:
    """The offer's cost over `horizon_years`: price + GST + CMC for the years after the
    warranty (quoted CMC years first, the rest uncovered, priced at the CMC rate or, when
    none was quoted, at `fallback_annual_paise`)."""
    warranty = min(max(warranty_years, 0), horizon_years)
    cmc = min(max(cmc_years, 0), horizon_years - warranty)
    uncovered = horizon_years - warranty - cmc
    cmc_paise = cmc * cmc_annual_paise
    uncovered_paise = uncovered * (cmc_annual_paise or fallback_annual_paise)
    return HorizonCost(
        horizon_years=horizon_years,
        warranty_years=warranty,
        cmc_years=cmc,
        uncovered_years=uncovered,
        cmc_paise=cmc_paise,
        uncovered_paise=uncovered_paise,
        total_paise=net_paise + gst_paise + cmc_paise + uncovered_paise,
    )


def quote_horizon(quote: Quote, fallback_annual_paise: int = 0) -> HorizonCost:
    """`horizon_cost` of a stored quote revision."""
    return horizon_cost(
        quote.amount_paise,
        quote.gst_paise,
        quote.warranty_years,
        quote.cmc_years,
        quote.cmc_annual_paise,
        fallback_annual_paise=fallback_annual_paise,
    )


def _summary(quote: Quote, names: dict, cost: HorizonCost) -> dict[str, Any]:
    return {
        "quoteId": str(quote.id),
        "oemId": str(quote.tenant_id),
        "oemName": names.get(quote.tenant_id, ("", ""))[0],
        "revision": quote.revision,
        "status": quote.status,
        "isAgreed": quote.is_agreed,
        "netPaise": quote.amount_paise,
        "gstPaise": quote.gst_paise,
        "cmcYears": quote.cmc_years,
        "cmcAnnualPaise": quote.cmc_annual_paise,
        "cmcTotalPaise": quote.cmc_total_paise,
        "horizonYears": cost.horizon_years,
        "cmcYearsInHorizon": cost.cmc_years,
        "uncoveredYears": cost.uncovered_years,
        "uncoveredPaise": cost.uncovered_paise,
        "totalPaise": cost.total_paise,
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
    """Rank the quotes in the running by total cost over the horizon (1 = lowest) and flag
    the lowest; quotes out of the running (withdrawn, expired...) are listed unranked."""
    fallback = max((q.cmc_annual_paise for q in quotes), default=0)
    costs = {q.id: quote_horizon(q, fallback) for q in quotes}
    running = sorted(
        (q for q in quotes if q.status in IN_RUNNING),
        key=lambda q: (costs[q.id].total_paise, q.lead_time_days, q.created_at),
    )
    lowest = costs[running[0].id].total_paise if running else 0
    ranked = []
    for rank, quote in enumerate(running, start=1):
        total = costs[quote.id].total_paise
        ranked.append(
            _summary(quote, names, costs[quote.id])
            | {"rank": rank, "isLowest": total == lowest, "aboveLowestPaise": total - lowest}
        )
    others = [
        _summary(q, names, costs[q.id])
        | {"rank": None, "isLowest": False, "aboveLowestPaise": None}
        for q in quotes
        if q.status not in IN_RUNNING
    ]
    return {
        "horizonYears": HORIZON_YEARS,
        "horizon": HORIZON_TEXT,
        "quotes": ranked + others,
        "lines": _line_offers(items, running, names),
        "lowestQuoteId": ranked[0]["quoteId"] if ranked else None,
    }
