"""What the terms on the table are worth, valued from the quote's own prices.

A CMC year is worth what this OEM charges for a CMC year in this quote (or, when the quote
names no CMC price, its catalog's CMC rate). One more year of warranty is worth the CMC
year it replaces. Credit is worth the cost of money on the price: `COST_OF_MONEY` a year.
The same term has the same value for the buyer and the OEM: only the ask differs.

A term nobody offered is never spoken of: `OfferTerms` holds `None` for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.pricing.deals import PricingInputError
from services.pricing.words import day_text, rupees_text

COST_OF_MONEY = 0.10  # a year: what an Indian hospital or OEM pays for working capital
CREDIT_STEP_DAYS = 30


@dataclass(frozen=True, kw_only=True)
class OfferTerms:
    """The terms on the table (None: nobody offered that term) and what they cost.

    `cmc_annual_paise` is this quote's price of one CMC year for the whole order (GST
    included); `cmc_rate_source` says where it came from ("quote" or "catalog").
    `required_by` is the RFQ's required-by date and `today` the day the tip is for (IST).
    """

    warranty_years: int | None = None
    cmc_years: int | None = None
    payment_days: int | None = None
    lead_time_days: int | None = None
    cmc_annual_paise: int | None = None
    cmc_rate_source: str = "quote"
    required_by: date | None = None
    today: date | None = None

    def __post_init__(self) -> None:
        for name, top in (
            ("warranty_years", 10),
            ("cmc_years", 10),
            ("payment_days", 365),
            ("lead_time_days", 3650),
        ):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top
            ):
                raise PricingInputError(name, f"must be a whole number from 0 to {top}")
        if self.cmc_annual_paise is not None and (
            isinstance(self.cmc_annual_paise, bool)
            or not isinstance(self.cmc_annual_paise, int)
            or self.cmc_annual_paise <= 0
        ):
            raise PricingInputError("cmc_annual_paise", "must be a positive amount in paise")

    @property
    def in_play(self) -> set[str]:
        """The terms someone offered."""
        return {
            name
            for name in ("warranty_years", "cmc_years", "payment_days", "lead_time_days")
            if getattr(self, name) is not None
        }


def value_terms(terms: OfferTerms, price_paise: int, side: str) -> list[dict]:
    """The terms on the table worth trading for price, each with its ₹ value and the basis of
    that value, as `side` ("buyer" or "oem") would put it. Only offered terms appear; the
    value of a term is the same for either side."""
    found = []
    if terms.warranty_years is not None:
        found.append(_warranty(terms, side))
    if terms.cmc_years is not None:
        found.append(_cmc(terms, side))
    if terms.payment_days is not None and (side == "buyer" or terms.payment_days > 0):
        found.append(_credit(terms, price_paise, side))
    return found


def _cmc_basis(terms: OfferTerms) -> str:
    if terms.cmc_rate_source == "quote":
        return "this quote's price for a CMC year"
    return "the catalog's CMC rate for this order"


def _warranty(terms: OfferTerms, side: str) -> dict:
    ask = "1 more year of warranty"
    if terms.cmc_annual_paise is None:
        text = (
            f"{'Ask for' if side == 'buyer' else 'Offer'} {ask}: no CMC rate is quoted to "
            "value it by, so ask for one."
        )
        return _term("warranty_years", None, None, text)
    worth, basis = terms.cmc_annual_paise, f"the CMC year it replaces, at {_cmc_basis(terms)}"
    if side == "buyer":
        text = f"Ask for {ask} at the same price: worth {rupees_text(worth)} ({basis})."
    else:
        text = f"Offer {ask} instead of a price cut: worth {rupees_text(worth)} ({basis})."
    return _term("warranty_years", worth, basis, text)


def _cmc(terms: OfferTerms, side: str) -> dict:
    years = terms.cmc_years
    if terms.cmc_annual_paise is None:
        text = f"The {years}-year CMC has no price per year in the quote: ask for one."
        return _term("cmc_years", None, None, text)
    worth, basis = terms.cmc_annual_paise, _cmc_basis(terms)
    if side == "buyer":
        ask = "1 CMC year included in the price"
        text = f"Ask for {ask}: worth {rupees_text(worth)} ({basis})."
    else:
        ask = "1 more year of CMC"
        text = (
            f"Ask for {ask} in return for meeting the price: worth {rupees_text(worth)} ({basis})."
        )
    return _term("cmc_years", worth, basis, text)


def _credit(terms: OfferTerms, price_paise: int, side: str) -> dict:
    days = terms.payment_days
    worth = round_rupees(price_paise * COST_OF_MONEY * CREDIT_STEP_DAYS / 365)
    basis = f"{COST_OF_MONEY:.0%} a year on {rupees_text(price_paise)} for {CREDIT_STEP_DAYS} days"
    if side == "buyer":
        ask = f"{CREDIT_STEP_DAYS} more days of credit ({days + CREDIT_STEP_DAYS} in all)"
        text = f"Ask for {ask}: worth {rupees_text(worth)} ({basis})."
    else:
        ask = (
            f"payment {CREDIT_STEP_DAYS} days sooner ({max(0, days - CREDIT_STEP_DAYS)}-day credit)"
        )
        text = f"Ask for {ask}: worth {rupees_text(worth)} to you ({basis})."
    return _term("payment_days", worth, basis, text)


def _term(term: str, worth: int | None, basis: str | None, text: str) -> dict:
    """A term worth trading, its value, the basis of that value, and the ask in words."""
    return {"term": term, "worthPaise": worth, "basis": basis, "text": text}


def change_sentence(earlier: OfferTerms | None, terms: OfferTerms, price_paise: int) -> str | None:
    """What the offer on the table gives or takes against the offer before it, in warranty
    years and credit days, valued as `value_terms` values them; None when nothing of that
    changed (or there is no earlier offer)."""
    if earlier is None:
        return None
    parts, worth = [], 0
    years = _change(earlier.warranty_years, terms.warranty_years)
    if years:
        parts.append(f"{_more_or_fewer(years)} year{'s' if abs(years) != 1 else ''} of warranty")
        worth += years * (terms.cmc_annual_paise or 0)
    days = _change(earlier.payment_days, terms.payment_days)
    if days:
        parts.append(f"{_more_or_fewer(days)} day{'s' if abs(days) != 1 else ''} of credit")
        worth += round_rupees(price_paise * COST_OF_MONEY * days / 365)
    if not parts:
        return None
    value = (
        f", worth {rupees_text(abs(worth))} {'more' if worth > 0 else 'less'} to the buyer"
        if worth and (not years or terms.cmc_annual_paise)
        else ""
    )
    return (
        f"Against the offer before it, the offer on the table gives {' and '.join(parts)}"
        f"{value}: weigh its price with that in mind."
    )


def _change(before: int | None, now: int | None) -> int:
    return 0 if before is None or now is None else now - before


def _more_or_fewer(change: int) -> str:
    return f"{abs(change)} {'more' if change > 0 else 'fewer'}"


def lead_time_flag(terms: OfferTerms, side: str) -> dict | None:
    """A flag when the lead time on the table delivers after the RFQ's required-by date
    (counted from `terms.today`), with what `side` can do about it; None when it is in time
    or either date is unknown."""
    if terms.lead_time_days is None or terms.required_by is None or terms.today is None:
        return None
    arrives = terms.today + timedelta(days=terms.lead_time_days)
    late = (arrives - terms.required_by).days
    if late <= 0:
        return None
    return {
        "term": "lead_time_days",
        "lateDays": late,
        "text": (
            f"A {terms.lead_time_days}-day lead time delivers around {day_text(arrives)}, "
            f"{late} day{'s' if late != 1 else ''} after the required-by date of "
            f"{day_text(terms.required_by)}: "
            + (
                "ask for delivery by then, or a penalty for each late week."
                if side == "buyer"
                else "offer an earlier slot, or tell the buyer before they compare quotes."
            )
        ),
    }


def round_rupees(paise: float) -> int:
    """Paise rounded to whole rupees."""
    return int(round(paise / 100)) * 100
