"""WhatsApp numbers of users: one written form, so a number matches whoever writes it."""

from __future__ import annotations

import re

from services.errors import Invalid

_SEPARATORS = re.compile(r"[\s\-().]")


def normalise_phone(raw: str, field: str = "phone") -> str:
    """The number in E.164 form (`+919876543210`). A ten-digit Indian mobile (starting 6-9),
    with or without 0 or 91 in front, gains +91; other numbers need their country code.
    Raises Invalid(field) for anything else."""
    text = _SEPARATORS.sub("", (raw or "").strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    digits = text.lstrip("+")
    if not digits.isdigit():
        raise Invalid(field, "must be a phone number such as +91 98765 43210")
    if not text.startswith("+"):
        if len(digits) == 11 and digits.startswith("0"):
            digits = digits[1:]
        if len(digits) == 10:
            digits = "91" + digits
    if digits.startswith("91"):
        if len(digits) != 12 or digits[2] not in "6789":
            raise Invalid(field, "must be an Indian mobile number: +91 and 10 digits from 6-9")
    elif not 8 <= len(digits) <= 15:
        raise Invalid(field, "must have 8 to 15 digits with the country code")
    return "+" + digits


def wa_id(phone: str) -> str:
    """The number as the Cloud API writes it: digits only, country code first."""
    return phone.lstrip("+")
