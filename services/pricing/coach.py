"""The negotiation coach: `coachTip` events that tell a buyer or an OEM where the offer on
the table sits in the fair band, what to counter with and why, and which terms to trade.

A tip is a plain dict, ready to be sent as a JSON frame (frames are at most 4 KB). Every tip
states its basis: the comparable deals behind the band, the band as an interval, and a
confidence that follows from both (`basis.py`). Bands come from the `price_band` model,
kept in memory. Terms are valued from the quote's own prices, the same for either side,
and only terms someone offered are spoken of (`terms.py`). Pure and deterministic: same
input, same tip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from services.common.money import group_indian
from services.pricing.basis import basis_of
from services.pricing.deals import PricingInputError, QuoteLine
from services.pricing.drivers import driver_sentences
from services.pricing.model import PriceBand, PriceBandModel, load_or_train
from services.pricing.terms import OfferTerms, change_sentence, lead_time_flag, value_terms
from services.pricing.words import round_price, rupees_text

__all__ = ["group_indian", "round_price", "rupees_text", "suggest_counter_offer"]
__all__ += ["suggest_quote_counter"]

SIDES = ("buyer", "oem")


def suggest_counter_offer(
    line: QuoteLine,
    offer_paise: int,
    side: str,
    history: Sequence[Mapping] = (),
    *,
    model: PriceBandModel | None = None,
    terms: OfferTerms | None = None,
) -> dict:
    """A `coachTip` for `side` ("buyer" or "oem") on one line whose offer on the table is
    `offer_paise` per unit. `history` lists the offers so far, oldest first, as
    `{"side": "buyer"|"oem", "unit_price_paise": int}`; when the latest is `side`'s own, the
    tip says to wait for the answer. `terms` are the terms on the table. Raises
    `PricingInputError` (a ValueError) naming the bad field."""
    tip = _tip([(line, offer_paise)], side, history, "unit_price_paise", model, terms)
    tip["scope"] = "line"
    del tip["lines"]
    return tip


def suggest_quote_counter(
    lines: Sequence[tuple[QuoteLine, int]],
    side: str,
    history: Sequence[Mapping] = (),
    *,
    model: PriceBandModel | None = None,
    terms: OfferTerms | None = None,
    earlier: OfferTerms | None = None,
) -> dict:
    """A `coachTip` covering a whole quote: `lines` pairs each `QuoteLine` with the unit price
    on the table for it. `history` gives the offers so far (the quote and every counter),
    oldest first, as `{"side": ..., "amount_paise": int}`. The tip weighs the latest offer:
    the other side's, to accept or counter, or the asking side's own, to wait for the answer.
    A counter never goes back on the side's own last offer nor past the other side's best
    one; it is spread over the lines where the gap to fair is. Raises `PricingInputError`
    naming the bad field. `terms` are the terms on the table and `earlier` those of the
    offer before it, so the tip can say what changed and what that is worth."""
    return _tip(lines, side, history, "amount_paise", model, terms, earlier)


def _tip(
    lines: Sequence[tuple[QuoteLine, int]],
    side: str,
    history: Sequence[Mapping],
    key: str,
    model: PriceBandModel | None,
    terms: OfferTerms | None,
    earlier: OfferTerms | None = None,
) -> dict:
    side = _check_side(side)
    if not lines:
        raise PricingInputError("lines", "a quote needs at least one line")
    offers = [_check_paise(f"lines[{i}].offer_paise", p) for i, (_, p) in enumerate(lines)]
    quote_lines = [line for line, _ in lines]
    own, other, waiting = _positions(history, side, key)
    terms = terms or OfferTerms()
    model = model or load_or_train()
    bands = model.predict(quote_lines)
    low, fair, high = (
        sum(getattr(b, f) * b.quantity for b in bands)
        for f in ("low_paise", "fair_paise", "high_paise")
    )
    offer = sum(p * b.quantity for p, b in zip(offers, bands, strict=True))
    if waiting:
        action, price = "wait", own[-1]
    else:
        action, price = _plan(low, fair, high, offer, side, own, other)
    basis = basis_of(model, quote_lines, low, fair, high)
    flag = lead_time_flag(terms, side)
    reasons = [
        _position_sentence(low, fair, high, offer, key == "unit_price_paise"),
        _action_sentence(action, price, side, other),
    ]
    changed = change_sentence(earlier, terms, offer)
    reasons += [changed] if changed else []
    reasons += _gap_sentences(quote_lines, offers, bands)
    biggest = max(range(len(bands)), key=lambda i: bands[i].fair_paise * bands[i].quantity)
    reasons += driver_sentences(model, quote_lines[biggest], terms.in_play)[:1]
    if basis["confidence"] == "low":
        reasons.append(_low_confidence_sentence(bands))
    counters = _spread(price, offers, bands, side) if action == "counter" else None
    return {
        "type": "coachTip",
        "scope": "quote",
        "side": side,
        "action": action,
        "offer": _money(offer),
        "band": _band_dict(low, fair, high),
        "position": _position(low, fair, high, offer, bands),
        "counter": _money(price) if action != "accept" else None,
        "lines": _line_summaries(quote_lines, offers, bands, counters),
        "reasons": reasons,
        "terms": value_terms(terms, offer, side),
        "flags": [flag] if flag else [],
        "basis": basis,
        "confidence": {"level": basis["confidence"], "score": min(b.confidence for b in bands)},
        "model": _model_dict(model),
    }


def _positions(history: Sequence[Mapping], side: str, key: str) -> tuple[list, list, bool]:
    """Each side's offers, oldest first, after checking every entry; and whether the latest
    offer is `side`'s own (then the other side has yet to answer it)."""
    own, other = [], []
    for index, entry in enumerate(history):
        if not isinstance(entry, Mapping) or entry.get("side") not in SIDES:
            raise PricingInputError(f"history[{index}].side", "must be 'buyer' or 'oem'")
        price = _check_paise(f"history[{index}].{key}", entry.get(key))
        (own if entry["side"] == side else other).append(price)
    return own, other, bool(history) and history[-1]["side"] == side


def _plan(
    low: int, fair: int, high: int, offer: int, side: str, own: list[int], other: list[int]
) -> tuple[str, int]:
    """(action, price) for `side` facing `offer`: accept an offer on its side of fair or
    past its own last offer, else open near its end of the band, then each round concede
    half of what is left between its last offer and fair (so concessions shrink); never past
    fair, never back from its own last offer, never past the other side's best offer. Offers
    within 1% of each other close the deal."""
    sign = -1 if side == "buyer" else 1  # the direction that favours this side
    last = own[-1] if own else None
    if sign * (offer - fair) >= 0 or (last is not None and sign * (offer - last) >= 0):
        return "accept", offer
    if last is not None and sign * (fair - last) >= 0:
        return "hold", last
    if last is None:
        counter = _between(low if side == "buyer" else high, fair, 0.3)
    else:
        counter = last + 0.5 * (fair - last)
    counter = round_price(counter)
    best = min([offer, *other]) if side == "buyer" else max([offer, *other])
    if side == "buyer":
        counter = min(counter, fair, best)
        counter = max(counter, last) if last is not None else counter
    else:
        counter = max(counter, fair, best)
        counter = min(counter, last) if last is not None else counter
    if abs(offer - counter) <= 0.01 * offer:
        return "accept", offer
    return "counter", counter


def _spread(total: int, offers: list[int], bands: list[PriceBand], side: str) -> list[int]:
    """Unit counters per line that add up to about `total`: each line moves from its offer
    in proportion to how far that offer sits from the line's own first counter."""
    targets = [
        _plan(b.low_paise, b.fair_paise, b.high_paise, o, side, [], [])[1]
        for o, b in zip(offers, bands, strict=True)
    ]
    gaps = [abs(o - t) * b.quantity for o, t, b in zip(offers, targets, bands, strict=True)]
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


def _position(low: int, fair: int, high: int, offer: int, bands: list[PriceBand]) -> dict:
    label = "below_band" if offer < low else "above_band" if offer > high else "within_band"
    whole = PriceBand(low, fair, high, 0, 1, bands[0].confidence, bands[0].is_known_category)
    return {
        "label": label,
        "percentile": whole.percentile_of(offer),
        "vsFairPct": round(100 * (offer / fair - 1), 1),
    }


def _position_sentence(low: int, fair: int, high: int, offer: int, per_unit: bool) -> str:
    what = f"The offer on the table, {rupees_text(offer)}" + (" per unit" if per_unit else "")
    share = offer / fair - 1
    versus = (
        f"{abs(share):.0%} {'above' if share > 0 else 'below'} the fair price of "
        f"{rupees_text(fair)}"
        if abs(share) >= 0.005
        else f"at the fair price of {rupees_text(fair)}"
    )
    where = (
        "below the fair band"
        if offer < low
        else "above the fair band"
        if offer > high
        else "within the fair band"
    )
    return f"{what}, is {versus}, {where} ({rupees_text(low)} to {rupees_text(high)})."


def _action_sentence(action: str, price: int, side: str, other: list[int]) -> str:
    if action == "accept":
        return (
            "The offer is on your side of fair: accept it, and use the terms below to "
            "add value rather than reopen price."
        )
    if action == "wait":
        them = "the OEM" if side == "buyer" else "the buyer"
        stood = f" ({them} last stood at {rupees_text(other[-1])})" if other else ""
        move = "raise" if side == "buyer" else "lower"
        return (
            f"Your offer of {rupees_text(price)} is on the table{stood}: wait for "
            f"{them}'s answer; do not {move} it before they move."
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


def _low_confidence_sentence(bands: list[PriceBand]) -> str:
    if not all(b.is_known_category for b in bands):
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
