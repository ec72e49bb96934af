"""WhatsApp numbers of users: one written form, so a number matches whoever writes it."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.actor import Actor
from services.errors import Conflict, Forbidden, Invalid

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


def get_phone(db: Session, actor: Actor) -> str | None:
    """The caller's WhatsApp number, or None."""
    if actor.user_id is None:
        return None
    return db.execute(text("SELECT phone FROM users WHERE id = :u"), {"u": actor.user_id}).scalar()


def set_phone(db: Session, actor: Actor, raw: str | None) -> str | None:
    """Set (or with an empty value, clear) the caller's WhatsApp number; returns it in
    E.164 form. Raises Invalid("phone") for a malformed number, Conflict when another
    account has it, Forbidden for an account without a user (a service token)."""
    if actor.user_id is None:
        raise Forbidden("Only a person's account has a WhatsApp number")
    phone = normalise_phone(raw) if (raw or "").strip() else None
    try:
        with db.begin_nested():
            db.execute(text("SELECT identity_set_phone(:u, :p)"), {"u": actor.user_id, "p": phone})
    except IntegrityError as exc:
        raise Conflict("Another account already has that WhatsApp number") from exc
    return phone
