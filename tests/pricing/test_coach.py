"""The negotiation coach: tips that tell a buyer or an OEM where an offer sits, what to
counter with and why, and which terms to trade, for one line or a whole quote."""

from __future__ import annotations

import json

import pytest

from services.pricing.coach import (
    group_indian,
    rupees_text,
    suggest_counter_offer,
    suggest_quote_counter,
)
from services.pricing.deals import QuoteLine
from services.pricing.model import PriceBandModel, build_model
from services.pricing.terms import OfferTerms

TERMS = OfferTerms(warranty_years=2, cmc_years=3, cmc_annual_paise=18_00_000_00)


@pytest.fixture(scope="module")
def model() -> PriceBandModel:
    return build_model(historic=6_000, seed=13)


def _line(**changes) -> QuoteLine:
    values = dict(
        category="CT",
        list_price_paise=3_20_00_000_00,
        quantity=1,
        city_tier=2,
        month=11,
        buyer_type="large_private_chain",
        brand_tier="established",
        warranty_years=2,
        cmc_years=3,
        payment_days=60,
        competing_quotes=3,
    )
    return QuoteLine(**{**values, **changes})


def test_a_buyer_facing_an_offer_above_the_band_is_told_to_counter_lower(model):
    band = model.predict_one(_line())
    offer = int(band.high_paise * 1.10)
    tip = suggest_counter_offer(_line(), offer, "buyer", model=model)
    assert tip["type"] == "coachTip" and tip["action"] == "counter"
    assert tip["position"]["label"] == "above_band" and tip["position"]["percentile"] > 90
    assert band.low_paise <= tip["counter"]["paise"] <= band.fair_paise < offer
    assert tip["band"]["fairPaise"] == band.fair_paise
    assert "above the fair band" in tip["reasons"][0] and "per unit" in tip["reasons"][0]
    assert rupees_text(tip["counter"]["paise"]) in tip["reasons"][1]
    assert tip["counter"]["text"].endswith(" Cr")


def test_an_oem_facing_a_counter_below_the_band_is_told_to_counter_higher(model):
    band = model.predict_one(_line())
    offer = int(band.low_paise * 0.85)
    tip = suggest_counter_offer(_line(), offer, "oem", model=model)
    assert tip["action"] == "counter" and tip["position"]["label"] == "below_band"
    assert offer < band.fair_paise <= tip["counter"]["paise"] <= band.high_paise
    assert tip["position"]["vsFairPct"] < -10


def test_an_offer_on_your_side_of_fair_is_worth_accepting(model):
    band = model.predict_one(_line())
    buyer_tip = suggest_counter_offer(_line(), band.fair_paise - 100_000, "buyer", model=model)
    oem_tip = suggest_counter_offer(_line(), band.fair_paise + 100_000, "oem", model=model)
    assert buyer_tip["action"] == oem_tip["action"] == "accept"
    assert buyer_tip["counter"] is None and buyer_tip["position"]["label"] == "within_band"


def test_a_buyer_never_goes_back_on_an_offer_and_concedes_less_each_round(model):
    band = model.predict_one(_line())
    oem_price = int(band.high_paise * 1.15)
    history, counters = [], []
    for _ in range(4):
        history.append({"side": "oem", "unit_price_paise": oem_price})
        tip = suggest_counter_offer(_line(), oem_price, "buyer", history, model=model)
        counters.append(tip["counter"]["paise"] if tip["counter"] else None)
        history.append({"side": "buyer", "unit_price_paise": counters[-1]})
    assert all(counters)
    steps = [b - a for a, b in zip(counters, counters[1:], strict=False)]
    assert all(step >= 0 for step in steps) and steps[0] > steps[-1]
    assert counters[-1] <= band.fair_paise


def test_a_buyer_who_already_offered_fair_is_told_to_hold_and_trade_terms(model):
    band = model.predict_one(_line())
    oem = int(band.high_paise * 1.1)
    history = [
        {"side": "buyer", "unit_price_paise": band.fair_paise},
        {"side": "oem", "unit_price_paise": oem},
    ]
    tip = suggest_counter_offer(_line(), oem, "buyer", history, model=model, terms=TERMS)
    assert tip["action"] == "hold" and tip["counter"]["paise"] == band.fair_paise
    assert "hold there" in tip["reasons"][1] and tip["terms"]


def test_two_sides_following_the_coach_close_inside_the_band(model):
    line = _line()
    band = model.predict_one(line)
    price, side, history = int(band.high_paise * 1.2), "buyer", []
    history.append({"side": "oem", "unit_price_paise": price})
    for _ in range(20):
        tip = suggest_counter_offer(line, price, side, history, model=model)
        if tip["action"] != "counter":
            break
        price = tip["counter"]["paise"]
        history.append({"side": side, "unit_price_paise": price})
        side = "oem" if side == "buyer" else "buyer"
    assert tip["action"] in ("accept", "hold")
    assert band.low_paise <= price <= band.high_paise


def test_a_quote_tip_covers_every_line_and_presses_where_the_gap_is(model):
    ct, pumps = (
        _line(),
        _line(
            category="Infusion pump",
            list_price_paise=1_65_000_00,
            quantity=40,
            cmc_years=0,
            warranty_years=1,
        ),
    )
    ct_band, pump_band = model.predict([ct, pumps])
    lines = [(ct, int(ct_band.high_paise * 1.15)), (pumps, pump_band.fair_paise)]
    tip = suggest_quote_counter(lines, "buyer", model=model)
    assert tip["scope"] == "quote" and tip["action"] == "counter"
    assert tip["offer"]["paise"] == lines[0][1] + 40 * lines[1][1]
    by_line = {entry["index"]: entry for entry in tip["lines"]}
    total = by_line[0]["counterPaise"] + 40 * by_line[1]["counterPaise"]
    assert total == pytest.approx(tip["counter"]["paise"], rel=0.002)
    assert by_line[0]["counterPaise"] < lines[0][1]
    assert by_line[1]["counterPaise"] == pytest.approx(lines[1][1], rel=0.01)
    assert any("The CT line carries most of the gap" in r for r in tip["reasons"])


def test_a_ten_line_quote_tip_fits_one_websocket_frame(model):
    categories = [
        "MRI",
        "CT",
        "Ultrasound",
        "Patient monitor",
        "Ventilator",
        "ECG",
        "Infusion pump",
        "Defibrillator",
        "Dialysis machine",
        "X-ray",
    ]
    quote = [_line(category=c, quantity=3) for c in categories]
    bands = model.predict(quote)
    tip = suggest_quote_counter(
        [(q, int(b.high_paise * 1.1)) for q, b in zip(quote, bands, strict=True)],
        "buyer",
        model=model,
    )
    assert len(json.dumps(tip).encode()) <= 4096
    assert len(tip["lines"]) == 8  # the lines furthest from fair, to stay inside one frame


def test_the_same_question_gets_the_same_tip(model):
    first = suggest_counter_offer(_line(), 3_10_00_000_00, "buyer", model=model)
    assert suggest_counter_offer(_line(), 3_10_00_000_00, "buyer", model=model) == first


def test_an_unknown_category_gets_a_cautious_tip(model):
    tip = suggest_counter_offer(
        _line(category="Lithotripter"), 3_10_00_000_00, "buyer", model=model
    )
    assert tip["confidence"]["level"] == "low"
    assert any("rough guide" in reason for reason in tip["reasons"])


def test_bad_requests_are_refused_naming_the_field(model):
    with pytest.raises(ValueError, match="side"):
        suggest_counter_offer(_line(), 1_00_00_000_00, "seller", model=model)
    with pytest.raises(ValueError, match="offer_paise"):
        suggest_counter_offer(_line(), 0, "buyer", model=model)
    with pytest.raises(ValueError, match=r"history\[0\]\.side"):
        suggest_counter_offer(_line(), 1_00_00_000_00, "buyer", [{"side": "x"}], model=model)
    with pytest.raises(ValueError, match=r"history\[0\]\.unit_price_paise"):
        suggest_counter_offer(
            _line(), 1_00_00_000_00, "buyer", [{"side": "oem", "unit_price_paise": -5}], model=model
        )
    with pytest.raises(ValueError, match="lines"):
        suggest_quote_counter([], "buyer", model=model)


def test_amounts_read_the_indian_way():
    assert group_indian(12345678) == "1,23,45,678"
    assert group_indian(999) == "999"
    assert rupees_text(1_23_45_678_00) == "₹1.235 Cr"
    assert rupees_text(2_50_00_000_00) == "₹2.50 Cr"
    assert rupees_text(2_50_50_000_00) == "₹2.505 Cr"
    assert rupees_text(12_34_00_000_00) == "₹12.34 Cr"
    assert rupees_text(12_50_000_00) == "₹12.50 L"
    assert rupees_text(85_000_00) == "₹85,000"
