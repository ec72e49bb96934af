"""Reading a label, scanned or typed: the signed QR payload, or the short code printed
beside it (`JFW7-JHQT`) that a person reads out or types when the camera will not do.

`read_label` is the one way every part of the platform reads a label (the scan API,
deployment proof, device lookup, the field app's check-in), so a typed code and a scan
are checked the same way.

The short code is the first 40 bits of the label's id in Crockford's base32 (no I, L, O
or U). Typed codes are forgiving: any case, with or without the dash or spaces, and O
read as 0, I and L as 1. A code is looked up among the labels the reader may see (row-level
security) and then checked against the label it belongs to: the label's own signed
payload must verify and name the same label and device, and the label must be current.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import text
from sqlmodel import Session

from services.errors import Conflict, Invalid
from services.qr.signing import LabelClaim, verify_label

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def short_code(qr_id_bytes: bytes) -> str:
    """The first five bytes of a label id as eight Crockford base32 characters, "XXXX-XXXX".

    Crockford's alphabet has no I, L, O or U, so a code read out on the phone is not
    mistaken for 1, 0 or V. Raises ValueError for fewer than five bytes."""
    if len(qr_id_bytes) < 5:
        raise ValueError("a short code needs at least five bytes of the label id")
    value = int.from_bytes(qr_id_bytes[:5], "big")
    chars = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def as_short_code(typed: str | None) -> str | None:
    """`typed` as a short code in its printed form ("JFW7-JHQT"), or None when it is not
    shaped like one (a QR payload, say). Forgives case, dashes, spaces, O for 0, I or L
    for 1."""
    squeezed = _SEPARATORS.sub("", (typed or "").strip().upper()).translate(_READ_AS)
    if len(squeezed) != CODE_LENGTH or any(c not in CROCKFORD for c in squeezed):
        return None
    return f"{squeezed[:4]}-{squeezed[4:]}"


def _id_range(code: str) -> tuple[uuid.UUID, uuid.UUID]:
    """The lowest and highest label id whose short code is `code` (printed form)."""
    value = 0
    for char in code.replace("-", ""):
        value = value * 32 + CROCKFORD.index(char)
    prefix = value.to_bytes(5, "big")
    return uuid.UUID(bytes=prefix + b"\x00" * 11), uuid.UUID(bytes=prefix + b"\xff" * 11)


def _looks_typed(typed: str) -> bool:
    """Short, letters and digits only: meant as a short code, not a scanned payload."""
    squeezed = _SEPARATORS.sub("", typed.strip())
    return 0 < len(squeezed) <= 12 and squeezed.isalnum()


def read_label(db: Session, scanned_or_typed: str, field: str = "qrPayload") -> LabelClaim:
    """What a label says, from its scanned payload or its typed short code.

    A payload is verified by its signature (`verify_label`). A short code is looked up
    among the labels the caller may see and checked against its label's signed payload.
    Raises Invalid(field) for a payload that is not a Yantra label, was altered or forged,
    for a code with the wrong number of characters or that no visible label carries;
    Conflict for a code whose label was replaced by a newer one, or that two labels share
    (scan the QR then)."""
    typed = scanned_or_typed or ""
    code = as_short_code(typed)
    if code is None:
        if _looks_typed(typed) and not typed.strip().upper().startswith("Y1"):
            raise Invalid(
                field,
                f"a label's short code has {CODE_LENGTH} letters and digits, like JFW7-JHQT; "
                "check it against the label",
            )
        return verify_label(typed)
    low, high = _id_range(code)
    rows = db.execute(
        text(
            "SELECT id, device_id, status, payload FROM qr_code WHERE id BETWEEN :low AND :high "
            "ORDER BY created_at DESC LIMIT 5"
        ),
        {"low": low, "high": high},
    ).all()
    if not rows:
        raise Invalid(
            field, f"no label you can see has the code {code}; check it against the label"
        )
    current = [r for r in rows if r.status == "active"]
    if not current:
        raise Conflict(
            f"The label {code} was replaced by a newer one; use the device's current label"
        )
    if len(current) > 1:
        raise Conflict(f"Two labels share the code {code}; scan the QR symbol instead")
    label = current[0]
    try:
        claim = verify_label(label.payload)
    except Invalid as exc:
        raise Invalid(field, f"the label {code} no longer verifies: {exc.message}") from exc
    if claim.qr_id != label.id or claim.device_id != label.device_id:
        raise Invalid(field, f"the label {code} does not match its device record")
    return claim
