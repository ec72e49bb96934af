"""What the RFQ pages show: amounts in ₹ with Indian grouping, ranks, and prices typed in
rupees read as paise."""

from __future__ import annotations

import uuid

import pytest

from services.common.money import rupees_to_paise
from services.db import tenant_session
from services.errors import Invalid
from services.rfq.quotes import quotes_view
from state.rfq_detail import _offers, _ranked, _revision
from tests.rfq.conftest import raise_rfq, send_quote


def test_the_buyer_sees_the_comparison_in_rupees(client, market):
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 12_50_000_00, 4_00_000_00)
    send_quote(client, market, "oem_b", rfq_id, 12_00_000_00, 4_00_000_00)
    with tenant_session(market.buyer.actor) as db:
        view = quotes_view(db, market.buyer.actor, uuid.UUID(rfq_id), history=True)
    ranked = [_ranked(q) for q in view["comparison"]["quotes"]]
    # B: 2 x 12 L + 12 % = 26.88 L; 4 L + 5 % = 4.2 L.
    assert ranked[0]["oem"] == market.oem_b.tenant.name and ranked[0]["total"] == "₹31,08,000.00"
    assert (ranked[0]["rank"], ranked[0]["lowest"], ranked[1]["rank"]) == ("1", "yes", "2")
    assert ranked[1]["above"] == "+₹1,12,000.00"
    offers = _offers(view["comparison"]["lines"])
    assert len(offers) == 4 and {o["lowest"] for o in offers} == {"yes", ""}
    assert {_revision(q)["revision"] for q in view["quotes"]} == {"1"}


@pytest.mark.parametrize(
    "typed,paise", [("12,50,000", 12_50_000_00), ("₹ 99.5", 9950), ("", 0), ("0.01", 1)]
)
def test_prices_typed_in_rupees_become_paise(typed, paise):
    assert rupees_to_paise(typed, "price", blank=0) == paise


@pytest.mark.parametrize("typed", ["twelve", "-5", "NaN", "12.349"])
def test_a_price_that_is_not_an_amount_names_the_field(typed):
    with pytest.raises(Invalid) as refused:
        rupees_to_paise(typed, "price of MVI-US9", blank=0)
    assert refused.value.field == "price of MVI-US9"
