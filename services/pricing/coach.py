"""The negotiation coach: `coachTip` events that tell a buyer or an OEM where the offer on
the table sits in the fair band, what to counter with and why, and which terms to trade.

A tip is a plain dict, ready to be sent as a JSON frame (frames are at most 4 KB). Bands come
from the `price_band` model, kept in memory; terms are priced by asking the same model what
the fair price would be with the term changed. Pure and deterministic: same input, same tip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from services.common.money import group_indian
from services.pricing.deals import PricingInputError, QuoteLine
from services.pricing.model import PriceBand, PriceBandModel, load_or_train

SIDES = ("buyer", "oem")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Feature groups a reason speaks of; the category itself is the baseline, not a reason.
_DRIVER_GROUPS = {
    "season": ("month", "is_fy_end", "is_quarter_end", "is_festive"),
    "volume": ("log_quantity",),
    "buyer": ("buyer_type",),
    "competition": ("competing_quotes",),
    "city": ("city_tier",),
    "brand": ("brand_tier",),
    "terms": ("extra_warranty_years", "cmc_years", "payment_days"),
    "list": ("log_list_rupees", "list_vs_category"),
}
_BUYER_WORDS = {
    "government_tender": "A government tender (L1 pressure)",
    "large_private_chain": "A large private chain's buying power",
    "mid_hospital": "A mid-sized hospital buyer",
    "diagnostic_chain": "A diagnostic chain's buying power",
    "standalone_lab": "A standalone lab's small volume",
}


def suggest_counter_offer(
    line: QuoteLine,
    offer_paise: int,
    side: str,
    history: Sequence[Mapping] = (),
    *,
    model: PriceBandModel | None = None,
) -> dict:
    """A `coachTip` for `side` ("buyer" or "oem") facing `offer_paise`, the unit price the
    other side has put on the table for `line`.

    `history` lists the earlier offers of this negotiation, oldest first, as
    `{"side": "buyer"|"oem", "unit_price_paise": int}`; the coach never suggests that a side
    go back on its own last offer, and concedes less with each round. Raises
    `PricingInputError` (a ValueError) naming the bad field.
    """
    side = _check_side(side)
    offer = _check_paise("offer_paise", offer_paise)
    own = _own_offers(history, side, "unit_price_paise")
    model = model or load_or_train()
    band = model.predict_one(line)
    action, counter = _plan(band.low_paise, band.fair_paise, band.high_paise, offer, side, own)
    reasons = [_position_sentence(band, offer, "unit"), _action_sentence(action, counter, side)]
    reasons += _driver_sentences(model, line)
    if band.confidence_level == "low":
        reasons.append(_low_confidence_sentence(band))
    return {
        "type": "coachTip",
        "scope": "line",
        "side": side,
        "action": action,
        "offer": _money(offer),
        "band": _band_dict(band.low_paise, band.fair_paise, band.high_paise),
        "position": _position(band, offer),
        "counter": _money(counter) if action != "accept" else None,
        "reasons": reasons,
        "terms": price_terms(model, [line], side),
        "confidence": {"level": band.confidence_level, "score": band.confidence},
        "model": _model_dict(model),
    }


def suggest_quote_counter(
    lines: Sequence[tuple[QuoteLine, int]],
    side: str,
    history: Sequence[Mapping] = (),
    *,
    model: PriceBandModel | None = None,
) -> dict:
    """A `coachTip` covering a whole quote: `lines` pairs each `QuoteLine` with the unit price
    offered for it. `history` gives earlier quote totals, oldest first, as
    `{"side": ..., "amount_paise": int}`. The suggested total is spread over the lines in
    proportion to how far each sits from its own target, so the tip presses where the gap is.
    Raises `PricingInputError` naming the bad field.
    """
    side = _check_side(side)
    if not lines:
        raise PricingInputError("lines", "a quote needs at least one line")
    offers = [_check_paise(f"lines[{i}].offer_paise", p) for i, (_, p) in enumerate(lines)]
    quote_lines = [line for line, _ in lines]
    model = model or load_or_train()
    bands = model.predict(quote_lines)
    totals = [
        sum(getattr(b, f) * b.quantity for b in bands)
        for f in ("low_paise", "fair_paise", "high_paise")
    ]
    offer_total = sum(p * b.quantity for p, b in zip(offers, bands, strict=True))
    own = _own_offers(history, side, "amount_paise")
    action, counter_total = _plan(*totals, offer_total, side, own)
    line_counters = _spread(counter_total, offers, bands, side) if action == "counter" else None
    quote_band = PriceBand(
        *totals,
        list_price_paise=0,
        quantity=1,
        confidence=min(b.confidence for b in bands),
        is_known_category=all(b.is_known_category for b in bands),
    )
    reasons = [
        _position_sentence(quote_band, offer_total, "quote"),
        _action_sentence(action, counter_total, side),
    ]
    reasons += _gap_sentences(quote_lines, offers, bands)
    biggest = max(range(len(bands)), key=lambda i: bands[i].fair_paise * bands[i].quantity)
    reasons += _driver_sentences(model, quote_lines[biggest])[:1]
    return {
        "type": "coachTip",
        "scope": "quote",
        "side": side,
        "action": action,
        "offer": _money(offer_total),
        "band": _band_dict(*totals),
        "position": _position(quote_band, offer_total),
        "counter": _money(counter_total) if action != "accept" else None,
        "lines": _line_summaries(quote_lines, offers, bands, line_counters),
        "reasons": reasons,
        "terms": price_terms(model, quote_lines, side),
        "confidence": {"level": quote_band.confidence_level, "score": quote_band.confidence},
        "model": _model_dict(model),
    }


def _plan(low: int, fair: int, high: int, offer: int, side: str, own: list[int]) -> tuple[str, int]:
    """(action, price) for `side` facing `offer`: accept an offer on its side of fair, else
    open near its end of the band, then each round concede half of what is left between its
    last offer and fair (so concessions shrink); never past fair, never back from its own last
    offer. Offers within 1% of each other close the deal."""
    sign = -1 if side == "buyer" else 1  # the direction that favours this side
    if sign * (offer - fair) >= 0:
        return "accept", offer
    last = own[-1] if own else None
    if last is not None and sign * (fair - last) >= 0:
        return "hold", last
    if last is None:
        counter = _between(low if side == "buyer" else high, fair, 0.3)
    else:
        counter = last + 0.5 * (fair - last)
    counter = round_price(counter)
    counter = min(counter, fair) if side == "buyer" else max(counter, fair)
    if last is not None:
        counter = max(counter, last) if side == "buyer" else min(counter, last)
    if abs(offer - counter) <= 0.01 * offer:
        return "accept", offer
    return "counter", counter


def _spread(total: int, offers: list[int], bands: list[PriceBand], side: str) -> list[int]:
    """Unit counters per line that add up to about `total`: each line moves from its offer
    in proportion to how far that offer sits from the line's own first counter."""
    targets = [
        _plan(b.low_paise, b.fair_paise, b.high_paise, o, side, [])[1]
        for o, b in zip(offers, bands, strict=True)
    ]
    gaps = [max(0, abs(o - t)) * b.quantity for o, t, b in zip(offers, targets, bands, strict=True)]
    offer_total = sum(o * b.quantity for o, b in zip(offers, bands, strict=True))
    weights = gaps if sum(gaps) else [o * b.quantity for o, b in zip(offers, bands, strict=True)]
    move = offer_total - total
    return [
        round_price(o - move * w / sum(weights) / b.quantity)
        for o, w, b in zip(offers, weights, bands, strict=True)
    ]


def _line_summaries(
    lines: list[QuoteLine],
    offers: list[int],
    bands: list[PriceBand],
    counters: list[int] | None,
    limit: int = 8,
) -> list[dict]:
    """Per-line figures (no prose, to keep the frame small); the `limit` lines furthest from
    fair when a quote is long."""
    order = sorted(
        range(len(lines)), key=lambda i: -abs(offers[i] - bands[i].fair_paise) * bands[i].quantity
    )[:limit]
    return [
        {
            "index": i,
            "category": lines[i].category,
            "quantity": lines[i].quantity,
            "offerPaise": offers[i],
            "lowPaise": bands[i].low_paise,
            "fairPaise": bands[i].fair_paise,
            "highPaise": bands[i].high_paise,
            "percentile": bands[i].percentile_of(offers[i]),
            "counterPaise": counters[i] if counters else None,
        }
        for i in sorted(order)
    ]


def price_terms(
    model: PriceBandModel, lines: Sequence[QuoteLine], side: str, limit: int = 3
) -> list[dict]:
    """The `limit` terms most worth trading for price, most valuable first, each priced by the
    model as the change in the fair price of the deal when the term changes; then one term
    the model does not price."""
    variants, asks = [], []
    for index, line in enumerate(lines):
        for term, changed, ask in _term_variants(line, side):
            variants.append(changed)
            asks.append((index, term, ask))
    base = model.fair_ratios(list(lines)) if lines else []
    ratios = model.fair_ratios(variants) if variants else []
    terms = []
    for (index, term, ask), ratio in zip(asks, ratios, strict=True):
        line = lines[index]
        worth = abs(ratio - base[index]) * line.list_price_paise * line.quantity
        if worth >= 0.002 * line.list_price_paise * line.quantity:
            terms.append(_term_dict(term, ask, round_price(worth), line, len(lines) > 1, side))
    terms.sort(key=lambda t: -t["worthPaise"])
    return terms[:limit] + [_unpriced_term(lines, side)]


def _term_variants(line: QuoteLine, side: str) -> list[tuple[str, QuoteLine, str]]:
    """(term, the line with the term changed, how to say the ask) for one side."""
    found = []
    if side == "buyer":
        if line.cmc_years <= 8:
            found.append(
                ("cmc_years", replace(line, cmc_years=line.cmc_years + 2), "2 more years of CMC")
            )
        if line.warranty_years <= 9:
            found.append(
                (
                    "warranty_years",
                    replace(line, warranty_years=line.warranty_years + 1),
                    "1 more year of warranty",
                )
            )
        if line.payment_days <= 305:
            found.append(
                (
                    "payment_days",
                    replace(line, payment_days=line.payment_days + 60),
                    "60 more days of credit",
                )
            )
    else:
        if line.payment_days >= 30:
            found.append(
                (
                    "payment_days",
                    replace(line, payment_days=0),
                    f"advance payment instead of {line.payment_days}-day credit",
                )
            )
        if line.cmc_years <= 8:
            found.append(
                (
                    "cmc_years",
                    replace(line, cmc_years=line.cmc_years + 3),
                    "a 3-year CMC commitment",
                )
            )
        if line.warranty_years <= 9:
            found.append(
                (
                    "warranty_years",
                    replace(line, warranty_years=line.warranty_years + 1),
                    "1 more year of warranty",
                )
            )
    return found


def _term_dict(
    term: str, ask: str, worth: int, line: QuoteLine, name_line: bool, side: str
) -> dict:
    where = f" on the {line.category} line" if name_line else ""
    if side == "buyer":
        text = f"Ask for {ask}{where} at the same price: worth about {rupees_text(worth)}."
    elif term == "warranty_years":
        text = (
            f"Offer {ask}{where} instead of a price cut: the buyer values it at about "
            f"{rupees_text(worth)}."
        )
    else:
        text = f"Ask for {ask}{where}: worth about {rupees_text(worth)} to you."
    return {"term": term, "ask": ask, "worthPaise": worth, "text": text}


def _unpriced_term(lines: Sequence[QuoteLine], side: str) -> dict:
    """A term the model does not price but negotiators trade all the same."""
    if side == "buyer":
        ask = "installation, application training and delivery within 6 weeks included"
        return {
            "term": "services",
            "ask": ask,
            "worthPaise": None,
            "text": f"Ask for {ask}; OEMs concede these more easily than price.",
        }
    labs = any(
        "analyzer" in line.category.lower() or line.category == "PCR system" for line in lines
    )
    ask = (
        "a reagent supply commitment for 3 years"
        if labs
        else "a reference-site visit and a published case study"
    )
    return {
        "term": "commitment",
        "ask": ask,
        "worthPaise": None,
        "text": f"Ask for {ask} in return for meeting the buyer's price.",
    }


def _position(band: PriceBand, offer: int) -> dict:
    label = (
        "below_band"
        if offer < band.low_paise
        else "above_band"
        if offer > band.high_paise
        else "within_band"
    )
    return {
        "label": label,
        "percentile": band.percentile_of(offer),
        "vsFairPct": round(100 * (offer / band.fair_paise - 1), 1),
    }


def _position_sentence(band: PriceBand, offer: int, scope: str) -> str:
    what = f"The offer of {rupees_text(offer)}" + (" per unit" if scope == "unit" else "")
    share = offer / band.fair_paise - 1
    versus = (
        f"{abs(share):.0%} {'above' if share > 0 else 'below'} the fair price of "
        f"{rupees_text(band.fair_paise)}"
        if abs(share) >= 0.005
        else f"at the fair price of {rupees_text(band.fair_paise)}"
    )
    where = (
        "below the fair band"
        if offer < band.low_paise
        else "above the fair band"
        if offer > band.high_paise
        else "within the fair band"
    )
    return (
        f"{what} is {versus}, {where} ({rupees_text(band.low_paise)} to "
        f"{rupees_text(band.high_paise)})."
    )


def _action_sentence(action: str, price: int, side: str) -> str:
    if action == "accept":
        return (
            "The offer is on your side of fair: accept it, and use the terms below to "
            "add value rather than reopen price."
        )
    if action == "hold":
        return (
            f"You already offered {rupees_text(price)}, at or past fair: hold there and "
            "trade terms instead of price."
        )
    toward = "up" if side == "buyer" else "down"
    return (
        f"Counter at {rupees_text(price)}: it keeps room to move {toward} towards fair "
        "in later rounds."
    )


def _driver_sentences(model: PriceBandModel, line: QuoteLine, limit: int = 2) -> list[str]:
    """The features that move this line's fair price most, as sentences."""
    effects = model.contributions(line)
    grouped = {group: sum(effects[f] for f in names) for group, names in _DRIVER_GROUPS.items()}
    ranked = sorted(grouped.items(), key=lambda kv: -abs(kv[1]))
    return [
        f"{_driver_subject(group, line)}: fair price about {abs(effect):.0%} "
        f"{'lower' if effect < 0 else 'higher'}."
        for group, effect in ranked[:limit]
        if abs(effect) >= 0.01
    ]


def _driver_subject(group: str, line: QuoteLine) -> str:
    month = _MONTHS[line.month - 1]
    season = {
        3: f"Closing in {month} (fiscal year-end)",
        4: f"Closing in {month} (new budgets, a slow month)",
        10: f"Closing in {month} (festive season)",
    }
    season.update({5: season[4], 11: season[10]})
    season.update({m: f"Closing in {_MONTHS[m - 1]} (quarter end)" for m in (6, 9, 12)})
    quotes = line.competing_quotes
    return {
        "season": season.get(line.month, f"Closing in {month}"),
        "volume": (
            f"A volume of {line.quantity} units" if line.quantity > 1 else "A single-unit order"
        ),
        "buyer": _BUYER_WORDS[line.buyer_type],
        "competition": (
            f"{quotes} competing quotes" if quotes > 1 else "A single quote (no competition)"
        ),
        "city": f"Delivery to a tier-{line.city_tier} city",
        "brand": f"A {line.brand_tier} brand",
        "terms": (
            f"The terms ({line.warranty_years}-year warranty, {line.cmc_years}-year CMC, "
            f"{line.payment_days}-day credit)"
        ),
        "list": "Where the list price sits among its peers",
    }[group]


def _gap_sentences(lines: list[QuoteLine], offers: list[int], bands: list[PriceBand]) -> list[str]:
    """Name the line that carries most of the gap to fair, when there is one."""
    gaps = [(o - b.fair_paise) * b.quantity for o, b in zip(offers, bands, strict=True)]
    index = max(range(len(gaps)), key=lambda i: abs(gaps[i]))
    share = offers[index] / bands[index].fair_paise - 1
    if len(lines) < 2 or abs(share) < 0.02:
        return []
    return [
        f"The {lines[index].category} line carries most of the gap: "
        f"{abs(share):.0%} {'above' if share > 0 else 'below'} its fair price."
    ]


def _low_confidence_sentence(band: PriceBand) -> str:
    if not band.is_known_category:
        return (
            "No historic deals for this category: the band comes from similar deals "
            "and is a rough guide."
        )
    return "Comparable deals vary widely here: treat the band as a rough guide."


def _band_dict(low: int, fair: int, high: int) -> dict:
    return {
        "lowPaise": low,
        "fairPaise": fair,
        "highPaise": high,
        "text": f"{rupees_text(low)} to {rupees_text(high)} (fair {rupees_text(fair)})",
    }


def _money(paise: int) -> dict:
    return {"paise": paise, "text": rupees_text(paise)}


def _model_dict(model: PriceBandModel) -> dict:
    return {
        "version": model.meta["version"],
        "heldOutMaePct": model.meta.get("metrics", {}).get("maePct"),
    }


def _own_offers(history: Sequence[Mapping], side: str, key: str) -> list[int]:
    """This side's earlier offers, oldest first, after checking every history entry."""
    own = []
    for index, entry in enumerate(history):
        if not isinstance(entry, Mapping) or entry.get("side") not in SIDES:
            raise PricingInputError(f"history[{index}].side", "must be 'buyer' or 'oem'")
        price = _check_paise(f"history[{index}].{key}", entry.get(key))
        if entry["side"] == side:
            own.append(price)
    return own


def _check_side(side: object) -> str:
    if side not in SIDES:
        raise PricingInputError("side", f"must be 'buyer' or 'oem', got {side!r}")
    return str(side)


def _check_paise(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PricingInputError(field, f"must be a positive amount in paise, got {value!r}")
    return value


def _between(a: int, b: int, share: float) -> float:
    """The price `share` of the way from `a` to `b`, on a log scale."""
    return math.exp(math.log(a) + share * (math.log(b) - math.log(a)))


def round_price(paise: float) -> int:
    """A price a negotiator would say: four significant figures of rupees, in paise."""
    rupees = max(1.0, paise / 100)
    step = 10 ** max(0, math.floor(math.log10(rupees)) - 3)
    return int(round(rupees / step) * step) * 100


def rupees_text(paise: int) -> str:
    """₹ as Indians say it, to the four figures a counter-offer is rounded to: ₹6.45 Cr,
    ₹2.505 Cr, ₹12.50 L, ₹85,000."""
    rupees = paise / 100
    if rupees >= 1_00_00_000:
        return f"₹{_four_figures(rupees / 1_00_00_000)} Cr"
    if rupees >= 1_00_000:
        return f"₹{_four_figures(rupees / 1_00_000)} L"
    return "₹" + group_indian(int(round(rupees)))


def _four_figures(value: float) -> str:
    """`value` (at least 1) to four significant figures, with two decimals at least."""
    decimals = max(2, 3 - math.floor(math.log10(value)))
    text = f"{value:.{decimals}f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"
