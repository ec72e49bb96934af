"""Reading a GS1 UDI off a device whose QR label is gone: printed text or a scan."""

from __future__ import annotations

from datetime import date

import pytest

from services.devices.gs1 import GS, Udi, gtin_check_digit, parse_udi
from services.errors import Invalid

PRINTED = "(01)08901234567890(17)271231(10)LOT42(21)SN12345"
SCANNED = "0108901234567890" + "17271231" + "10LOT42" + GS + "21SN12345"


def _reason(text: str) -> str:
    with pytest.raises(Invalid) as caught:
        parse_udi(text)
    assert caught.value.field == "udi"
    return caught.value.reason


def test_the_printed_text_gives_every_part_of_the_udi():
    assert parse_udi(PRINTED) == Udi(
        gtin="08901234567890",
        expiry=date(2027, 12, 31),
        manufactured=None,
        lot="LOT42",
        serial="SN12345",
        raw=PRINTED,
    )


@pytest.mark.parametrize(
    "scan",
    [
        SCANNED,
        "]d2" + SCANNED,
        "]C1" + SCANNED,
        "]Q3" + SCANNED,
        f"  {SCANNED}\n",
        "]d2" + "0108901234567890" + GS + "17271231" + GS + "10LOT42" + GS + "21SN12345" + GS,
    ],
)
def test_a_scan_reads_the_same_as_the_printed_text(scan):
    assert parse_udi(scan) == parse_udi(PRINTED)


def test_the_normalised_text_puts_the_parts_in_label_order():
    udi = parse_udi("(21)SN9(10)B7(17)300115(11)250301(01)08901234567890")
    assert udi.raw == "(01)08901234567890(11)250301(17)300115(10)B7(21)SN9"
    assert udi.manufactured == date(2025, 3, 1)
    assert parse_udi(udi.raw) == udi


def test_expiry_day_00_means_the_last_day_of_that_month():
    assert parse_udi("(01)08901234567890(17)280200").expiry == date(2028, 2, 29)
    assert parse_udi("(01)08901234567890(17)270200").expiry == date(2027, 2, 28)
    assert parse_udi("(01)08901234567890(17)270400").expiry == date(2027, 4, 30)


def test_a_gtin_14_with_a_leading_indicator_digit_is_accepted():
    assert gtin_check_digit("1890123456789") == 7
    assert parse_udi("(01)18901234567897(21)A1").gtin == "18901234567897"


def test_check_digits_match_published_gs1_examples():
    assert gtin_check_digit("0950600013435") == 2
    assert gtin_check_digit("0001234560001") == 2
    assert gtin_check_digit("0890123456787") == 6


def test_a_serial_alone_is_enough_to_identify_a_device():
    udi = parse_udi("21SN12345")
    assert (udi.gtin, udi.serial, udi.raw) == (None, "SN12345", "(21)SN12345")


def test_lot_and_serial_may_be_20_characters_long():
    assert parse_udi("(21)" + "S" * 20).serial == "S" * 20


@pytest.mark.parametrize("text", ["", "   ", "]d2", "]Q3  "])
def test_empty_input_is_refused(text):
    assert _reason(text) == "is empty; scan the barcode or type the text under it"


def test_a_wrong_gtin_check_digit_says_which_digit_is_right():
    assert _reason("(01)08901234567870(21)SN1") == "GTIN check digit is wrong: expected 6"
    assert _reason("0108901234567896") == "GTIN check digit is wrong: expected 0"


def test_a_gtin_that_is_not_14_digits_is_refused():
    assert "(01) GTIN must be 14 digits" in _reason("(01)8901234567890(21)SN1")
    assert "(01) GTIN must be 14 digits" in _reason("(01)0890123456789X")


@pytest.mark.parametrize("text", ["(01)08901234567890(99)X", "0108901234567890" + "99X"])
def test_an_unknown_application_identifier_is_named(text):
    assert _reason(text).startswith("unknown application identifier (99);")


def test_non_numeric_and_impossible_dates_are_refused():
    assert _reason("(01)08901234567890(17)27AB31") == (
        "(17) expiry date must be 6 digits as YYMMDD, not '27AB31'"
    )
    assert _reason("(01)08901234567890(17)271331") == (
        "(17) expiry date 271331 has month 13; months run 01 to 12"
    )
    assert _reason("(01)08901234567890(11)270230") == (
        "(11) manufacturing date 270230 has day 30, but 02/2027 has 28 days"
    )


def test_a_lot_or_serial_over_20_characters_is_refused():
    assert _reason("(01)08901234567890(10)" + "L" * 21) == (
        "(10) lot must have 1 to 20 characters, not 21"
    )
    # a scan missing the GS after the lot runs the serial into it
    assert _reason("0108901234567890" + "10LOT4242424242" + "21SN12345") == (
        "(10) lot must have 1 to 20 characters, not 22"
    )


@pytest.mark.parametrize(
    "text",
    [
        "(01)08901234567890(21)SN 12345",
        "(01)08901234567890(21)SNé",
        "(01)08901234567890(10)A" + GS + "(21)B",
    ],
)
def test_characters_outside_printable_ascii_are_refused(text):
    assert "which GS1 does not allow; use printable ASCII without spaces" in _reason(text)


def test_a_udi_with_nothing_to_identify_a_device_by_is_refused():
    assert _reason("(17)271231(10)LOT42") == (
        "has neither a GTIN (01) nor a serial (21) to identify a device by"
    )


def test_the_same_field_twice_with_different_values_is_refused():
    assert _reason("(21)A1(21)B2") == "(21) serial appears twice with different values"


def test_text_before_the_first_bracket_is_refused():
    assert "instead of an (AI)" in _reason("(1)08901234567890")
