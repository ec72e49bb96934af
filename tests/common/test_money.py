"""Rupees a person types become paise by one rule, and amounts show with Indian grouping."""

from __future__ import annotations

import pytest

from services.common.money import format_inr, group_indian, rupees_to_paise
from services.errors import Invalid


@pytest.mark.parametrize(
    "typed,paise",
    [
        ("12,50,000", 12_50_000_00),
        ("₹ 99.5", 99_50),
        ("0.01", 1),
        ("12.34", 12_34),
        ("1250000.50", 12_50_000_50),
        (" ₹12,34,567.89 ", 12_34_567_89),
        ("0", 0),
        (7, 7_00),
    ],
)
def test_rupees_as_typed_become_paise(typed, paise):
    assert rupees_to_paise(typed, "price") == paise


@pytest.mark.parametrize("typed", ["12.349", "12.345", "0.001", "99.999"])
def test_more_than_two_decimals_is_refused_never_rounded(typed):
    # The one rounding rule: ₹12.349 is neither 1,234 nor 1,235 paise, it is a question
    # back to the person who typed it.
    with pytest.raises(Invalid) as refused:
        rupees_to_paise(typed, "unit price")
    assert refused.value.field == "unit price"
    assert "at most two decimals" in refused.value.reason


@pytest.mark.parametrize("typed", ["twelve", "-5", "NaN", "Infinity", "1e", "₹"])
def test_what_is_not_an_amount_is_refused_naming_the_field(typed):
    with pytest.raises(Invalid) as refused:
        rupees_to_paise(typed, "annual CMC price")
    assert refused.value.field == "annual CMC price"


def test_an_empty_entry_means_what_the_form_says_or_is_refused():
    assert rupees_to_paise("", "price", blank=0) == 0
    assert rupees_to_paise("  ", "price", blank=0) == 0
    with pytest.raises(Invalid):
        rupees_to_paise("", "price")


@pytest.mark.parametrize(
    "paise,shown",
    [
        (0, "₹0.00"),
        (5, "₹0.05"),
        (999_00, "₹999.00"),
        (1_000_00, "₹1,000.00"),
        (12_34_567_89, "₹12,34,567.89"),
        (1_23_45_67_890_00, "₹1,23,45,67,890.00"),
        (-1_500_00, "-₹1,500.00"),
    ],
)
def test_amounts_show_in_rupees_with_indian_grouping(paise, shown):
    assert format_inr(paise) == shown


def test_a_pdf_without_the_rupee_sign_writes_rs():
    assert format_inr(12_34_567_89, symbol="Rs ") == "Rs 12,34,567.89"


def test_digits_group_in_thousands_then_lakhs_and_crores():
    assert [group_indian(n) for n in (999, 1000, 100000, 12345678, -100000)] == [
        "999",
        "1,000",
        "1,00,000",
        "1,23,45,678",
        "-1,00,000",
    ]


def test_what_is_shown_reads_back_as_the_same_paise():
    for paise in (1, 99, 12_34_567_89, 5_00_00_000_00):
        assert rupees_to_paise(format_inr(paise), "price") == paise
