"""The comparison costs every offer over one stated service horizon (10 years): price, GST
and CMC for every year the warranty does not cover, so a longer warranty and CMC is not
mistaken for the dearer deal."""

from __future__ import annotations

from services.rfq.compare import HORIZON_TEXT, HORIZON_YEARS, horizon_cost

CRORE = 1_00_00_000_00  # ₹1 crore in paise
LAKH = 1_00_000_00


def _offer(price: int, warranty: int, cmc: int, annual: int = 30 * LAKH, **kw):
    net = price
    return horizon_cost(net, net * 12 // 100, warranty, cmc, annual, **kw)


def test_the_better_deal_ranks_cheaper_over_ten_years():
    better = _offer(545 * CRORE // 100, warranty=3, cmc=7)  # ₹5.45 Cr, 3 y + 7 y
    dearer = _offer(598 * CRORE // 100, warranty=2, cmc=5)  # ₹5.98 Cr, 2 y + 5 y
    assert HORIZON_YEARS == 10
    assert better.total_paise < dearer.total_paise
    assert (better.warranty_years, better.cmc_years, better.uncovered_years) == (3, 7, 0)
    assert (dearer.warranty_years, dearer.cmc_years, dearer.uncovered_years) == (2, 5, 3)
    # Adding up the CMC years quoted, without a horizon, had it the other way round.
    naive = {o: o.total_paise - o.uncovered_paise for o in (better, dearer)}
    assert naive[better] > naive[dearer]


def test_cmc_years_beyond_the_horizon_do_not_count():
    within = _offer(CRORE, warranty=2, cmc=8)
    beyond = _offer(CRORE, warranty=2, cmc=12)
    assert beyond.cmc_years == 8 and beyond.total_paise == within.total_paise
    all_warranty = _offer(CRORE, warranty=12, cmc=5)
    assert (all_warranty.warranty_years, all_warranty.cmc_years) == (10, 0)
    assert all_warranty.total_paise == CRORE + CRORE * 12 // 100


def test_uncovered_years_are_stated_and_priced_at_the_cmc_rate():
    cost = _offer(CRORE, warranty=1, cmc=4, annual=10 * LAKH)
    assert cost.uncovered_years == 5 and cost.uncovered_paise == 50 * LAKH
    assert cost.cmc_paise == 40 * LAKH
    assert cost.total_paise == CRORE + CRORE * 12 // 100 + 90 * LAKH


def test_an_offer_without_a_cmc_price_is_priced_at_the_fallback_rate():
    bare = _offer(CRORE, warranty=1, cmc=0, annual=0, fallback_annual_paise=20 * LAKH)
    assert bare.uncovered_years == 9 and bare.uncovered_paise == 9 * 20 * LAKH
    shorter = horizon_cost(CRORE, 0, 2, 3, 10 * LAKH, horizon_years=5)
    assert shorter.horizon_years == 5 and shorter.uncovered_years == 0


def test_the_page_states_the_horizon():
    assert "10 years" in HORIZON_TEXT and "uncovered" in HORIZON_TEXT
