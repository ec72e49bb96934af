"""The rules a coach's tip keeps, so a buyer or an OEM can take it at its word: it states its
basis, values terms from the quote's own prices (the same for both sides, every time),
speaks only of terms someone offered, reasons from the latest offer of either side, and
flags a lead time that misses the required-by date."""

from __future__ import annotations

import json
from datetime import date

import pytest

from services.pricing.basis import confidence_level
from services.pricing.coach import suggest_counter_offer, suggest_quote_counter
from services.pricing.deals import QuoteLine
from services.pricing.model import PriceBandModel, build_model
from services.pricing.terms import OfferTerms

CMC_YEAR = 38_00_000_00  # what this OEM's quote charges for one CMC year: ₹38 lakh
TODAY = date(2026, 12, 1)
OFFERED = OfferTerms(
    warranty_years=2, cmc_years=5, cmc_annual_paise=CMC_YEAR, lead_time_days=60, today=TODAY
)


@pytest.fixture(scope="module")
def model() -> PriceBandModel:
    return build_model(historic=6_000, seed=13)


def _mri(**changes) -> QuoteLine:
    values = dict(
        category="MRI",
        list_price_paise=6_50_00_000_00,
        quantity=1,
        city_tier=1,
        month=12,
        buyer_type="large_private_chain",
        warranty_years=2,
        cmc_years=5,
    )
    return QuoteLine(**{**values, **changes})


def _tip(model, side, offer, history=None, terms=OFFERED, line=None):
    line = line or _mri()
    history = history if history is not None else [{"side": "oem", "amount_paise": offer}]
    return suggest_quote_counter([(line, offer)], side, history, model=model, terms=terms)


def _worth(tip: dict) -> dict[str, int | None]:
    return {t["term"]: t["worthPaise"] for t in tip["terms"]}


def test_every_tip_states_its_comparable_deals_band_interval_and_confidence(model):
    tip = _tip(model, "buyer", 5_98_00_000_00)
    basis, band = tip["basis"], tip["band"]
    assert basis["deals"] == model.comparable_deals("MRI") > 100
    assert basis["byCategory"] == {"MRI": basis["deals"]}
    assert basis["confidence"] == tip["confidence"]["level"] in ("low", "medium", "high")
    assert f"{basis['deals']:,} comparable MRI deals" in basis["text"]
    assert "80% of such deals close between" in basis["text"]
    assert band["text"].split(" (")[0].replace(" to ", " and ") in basis["text"]
    assert basis["text"].endswith(f"{basis['confidence']} confidence.")


def test_confidence_comes_from_the_number_of_deals_and_the_width_of_the_band(model):
    assert confidence_level(500, 0.05) == "high"
    assert confidence_level(500, 0.12) == "medium"  # many deals, but a wide band
    assert confidence_level(80, 0.05) == "medium"  # a narrow band from few deals
    assert confidence_level(10, 0.05) == "low"
    assert confidence_level(500, 0.30) == "low"
    unknown = _tip(model, "buyer", 5_98_00_000_00, line=_mri(category="Lithotripter"))
    assert unknown["basis"]["deals"] == 0 and unknown["confidence"]["level"] == "low"
    assert unknown["basis"]["text"].startswith("No comparable deals for Lithotripter")
    assert any("rough guide" in reason for reason in unknown["reasons"])


def test_a_cmc_year_is_worth_what_this_quote_charges_for_one(model):
    terms = {t["term"]: t for t in _tip(model, "buyer", 5_98_00_000_00)["terms"]}
    assert terms["cmc_years"]["worthPaise"] == CMC_YEAR
    assert "₹38.00 L" in terms["cmc_years"]["text"]
    assert "this quote's price for a CMC year" in terms["cmc_years"]["text"]


def test_a_warranty_year_is_worth_the_cmc_year_it_replaces(model):
    terms = {t["term"]: t for t in _tip(model, "buyer", 5_98_00_000_00)["terms"]}
    assert terms["warranty_years"]["worthPaise"] == CMC_YEAR
    assert "the CMC year it replaces" in terms["warranty_years"]["text"]


def test_without_a_cmc_price_in_the_quote_the_catalog_rate_values_the_terms(model):
    terms = OfferTerms(
        warranty_years=2, cmc_years=0, cmc_annual_paise=30_00_000_00, cmc_rate_source="catalog"
    )
    tip = _tip(model, "oem", 5_98_00_000_00, terms=terms)
    assert _worth(tip)["warranty_years"] == 30_00_000_00
    assert "the catalog's CMC rate" in tip["terms"][0]["text"]
    unpriced = _tip(model, "buyer", 5_98_00_000_00, terms=OfferTerms(warranty_years=2))
    assert _worth(unpriced) == {"warranty_years": None}
    assert "no CMC rate is quoted" in unpriced["terms"][0]["text"]


def test_the_same_term_has_the_same_value_for_buyer_and_oem_at_the_same_moment(model):
    terms = OfferTerms(
        warranty_years=3, cmc_years=7, payment_days=60, cmc_annual_paise=CMC_YEAR, today=TODAY
    )
    offer = 5_45_00_000_00
    buyer = _worth(_tip(model, "buyer", offer, [{"side": "oem", "amount_paise": offer}], terms))
    oem = _worth(_tip(model, "oem", offer, [{"side": "buyer", "amount_paise": offer}], terms))
    assert set(buyer) == set(oem) == {"warranty_years", "cmc_years", "payment_days"}
    assert buyer == oem
    assert buyer["payment_days"] == round(offer * 0.10 * 30 / 365 / 100) * 100


def test_asked_twice_with_nothing_changed_the_tip_and_its_values_are_the_same(model):
    first = _tip(model, "buyer", 5_98_00_000_00)
    assert _tip(model, "buyer", 5_98_00_000_00) == first
    # a term's value does not swing with the price on the table
    later = _tip(model, "buyer", 5_60_00_000_00)
    assert _worth(later)["warranty_years"] == _worth(first)["warranty_years"] == CMC_YEAR


def test_a_term_nobody_offered_is_never_mentioned(model):
    bare = json.dumps(_tip(model, "buyer", 5_98_00_000_00, terms=OfferTerms())).lower()
    for word in ("credit", "payment", "warranty", "cmc", "lead time"):
        assert word not in bare, word
    offered = json.dumps(_tip(model, "oem", 5_98_00_000_00, terms=OFFERED)).lower()
    assert "credit" not in offered and "payment" not in offered
    assert "warranty" in offered and "cmc" in offered
    with_credit = OfferTerms(payment_days=45, cmc_annual_paise=CMC_YEAR)
    texts = [t["text"] for t in _tip(model, "buyer", 5_98_00_000_00, terms=with_credit)["terms"]]
    assert texts == [next(t for t in texts if "75 in all" in t)]


def test_after_the_buyers_own_counter_the_coach_says_wait_and_does_not_raise_it(model):
    quote, counter = 5_98_00_000_00, 5_45_00_000_00
    history = [{"side": "oem", "amount_paise": quote}, {"side": "buyer", "amount_paise": counter}]
    tip = _tip(model, "buyer", counter, history)
    assert tip["action"] == "wait" and tip["counter"]["paise"] == counter
    assert tip["offer"]["paise"] == counter  # it reasons from the counter on the table
    assert "₹5.45 Cr" in tip["reasons"][0]
    assert "the OEM last stood at ₹5.98 Cr" in tip["reasons"][1]


def test_a_buyers_counter_never_goes_above_where_the_oem_stood(model):
    fair = model.predict_one(_mri()).fair_paise
    for oem_share in (0.97, 1.0, 1.01, 1.05, 1.2):
        for own_share in (None, 0.8, 0.95):
            stood = int(fair * oem_share) + 10_000_00  # the OEM's best offer so far
            history = [{"side": "oem", "amount_paise": stood}]
            if own_share:
                history.append({"side": "buyer", "amount_paise": int(fair * own_share)})
            history.append({"side": "oem", "amount_paise": int(stood * 1.1)})  # then it rose
            tip = _tip(model, "buyer", int(stood * 1.1), history)
            if tip["counter"]:
                assert tip["counter"]["paise"] <= stood, (oem_share, own_share)


def test_the_oem_weighs_the_buyers_counter_between_it_and_its_own_quote(model):
    fair = model.predict_one(_mri()).fair_paise
    quote, counter = int(fair * 1.15), int(fair * 0.85)
    history = [{"side": "oem", "amount_paise": quote}, {"side": "buyer", "amount_paise": counter}]
    tip = _tip(model, "oem", counter, history)
    assert tip["offer"]["paise"] == counter and tip["action"] == "counter"
    assert counter < tip["counter"]["paise"] <= quote


def test_a_lead_time_that_misses_the_required_by_date_is_flagged(model):
    late = OfferTerms(lead_time_days=90, required_by=date(2027, 2, 1), today=TODAY)
    tip = _tip(model, "buyer", 5_98_00_000_00, terms=late)
    assert tip["flags"] == [
        {
            "term": "lead_time_days",
            "lateDays": 28,
            "text": "A 90-day lead time delivers around 1 Mar 2027, 28 days after the "
            "required-by date of 1 Feb 2027: ask for delivery by then, or a penalty for "
            "each late week.",
        }
    ]
    in_time = OfferTerms(lead_time_days=45, required_by=date(2027, 2, 1), today=TODAY)
    assert _tip(model, "buyer", 5_98_00_000_00, terms=in_time)["flags"] == []


def test_a_ten_line_tip_with_terms_basis_and_a_flag_fits_one_websocket_frame(model):
    categories = ["MRI", "CT", "Ultrasound", "Patient monitor", "Ventilator", "ECG"]
    categories += ["Infusion pump", "Defibrillator", "Dialysis machine", "X-ray"]
    quote = [_mri(category=c, list_price_paise=20_00_000_00, quantity=3) for c in categories]
    bands = model.predict(quote)
    terms = OfferTerms(
        warranty_years=2,
        cmc_years=5,
        payment_days=60,
        cmc_annual_paise=CMC_YEAR,
        lead_time_days=120,
        required_by=date(2027, 1, 15),
        today=TODAY,
    )
    offers = [(q, int(b.high_paise * 1.1)) for q, b in zip(quote, bands, strict=True)]
    tip = suggest_quote_counter(offers, "buyer", model=model, terms=terms)
    assert tip["flags"] and len(tip["terms"]) == 3 and tip["basis"]["deals"]
    assert len(json.dumps(tip).encode()) <= 4096


def test_a_line_tip_keeps_the_same_rules(model):
    tip = suggest_counter_offer(_mri(), 5_98_00_000_00, "oem", model=model, terms=OFFERED)
    assert tip["scope"] == "line" and tip["basis"]["deals"] and _worth(tip)["cmc_years"]


def test_the_tip_values_what_the_offer_on_the_table_changed_in_the_terms(model):
    before = OfferTerms(warranty_years=2, payment_days=30, cmc_annual_paise=CMC_YEAR)
    now = OfferTerms(warranty_years=3, payment_days=30, cmc_annual_paise=CMC_YEAR)
    tip = suggest_quote_counter(
        [(_mri(), 5_45_00_000_00)], "oem", model=model, terms=now, earlier=before
    )
    assert (
        "Against the offer before it, the offer on the table gives 1 more year of warranty, "
        "worth ₹38.00 L more to the buyer: weigh its price with that in mind."
    ) in tip["reasons"]
    same = suggest_quote_counter(
        [(_mri(), 5_45_00_000_00)], "oem", model=model, terms=now, earlier=now
    )
    assert not any("Against the offer before it" in r for r in same["reasons"])
