"""A lab patient's mobile number and language, as HL7's PID segment gives them.

`PID-13` (phone, home) and `PID-14` (phone, business) are repeating XTN fields. HL7 2.3
writes the number whole in the first component (`(0)98765 43210`); 2.5 may instead split
it into country code, area code and local number (components 5 to 7) and mark a mobile
with equipment type `CP` (component 3). A mobile is preferred, then any number that reads
as one; numbers are kept in E.164 (`+919876543210`) so they match whoever writes them.

`PID-15` (primary language) is a coded value: ISO 639-2 codes (`HIN`, `TAM`, `MAR`,
`ENG`), their two-letter forms or the language's name. Only the languages the notices are
written in are kept.
"""

from __future__ import annotations

import hl7

from services.errors import Invalid
from services.identity.phones import normalise_phone

LANGUAGE_CODES = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "hi": "hi",
    "hin": "hi",
    "hindi": "hi",
    "ta": "ta",
    "tam": "ta",
    "tamil": "ta",
    "mr": "mr",
    "mar": "mr",
    "marathi": "mr",
}
MOBILE = "CP"


def _text(value) -> str:
    """A component (or sub-component list) as plain text."""
    if isinstance(value, str):
        return value
    return "".join(_text(part) for part in value[:1]) if len(value) else ""


def _components(repetition) -> list[str]:
    if isinstance(repetition, str):
        return [repetition]
    return [_text(part) for part in repetition]


def _repetitions(segment, number: int) -> list[list[str]]:
    """Each repetition of `segment`'s field `number` as its list of components."""
    if segment is None or len(segment) <= number:
        return []
    value = segment[number]
    if isinstance(value, str):
        return [[value]] if value else []
    # python-hl7 gives a field as its repetitions, each a list of components
    return [_components(rep) for rep in value]


def _number(parts: list[str]) -> str | None:
    """The repetition's number in E.164, or None if it is no number one can message."""
    whole = parts[0] if parts else ""
    if not whole.strip() and len(parts) >= 5:
        country, area, local = (p.strip() for p in [*parts, "", ""][4:7])
        whole = ("+" + country if country else "") + area + local
    if not whole.strip():
        return None
    try:
        return normalise_phone(whole, "phone")
    except Invalid:
        return None


def patient_phone(message: hl7.Message, pid) -> str:
    """The patient's number from `PID-13`, else `PID-14`: a mobile (`CP`) first, then
    the first number that reads; '' when there is none."""
    candidates = [parts for number in (13, 14) for parts in _repetitions(pid, number)]
    mobiles = [p for p in candidates if len(p) > 2 and p[2].strip().upper() == MOBILE]
    for parts in mobiles + candidates:
        found = _number([message.unescape(p) if message.esc in p else p for p in parts])
        if found:
            return found
    return ""


def patient_language(value: str) -> str:
    """`PID-15`'s identifier (or text) as a notice language code, '' when not offered."""
    return LANGUAGE_CODES.get((value or "").strip().lower(), "")
