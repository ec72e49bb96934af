"""Reading fields out of a message parsed by python-hl7, by HL7's 1-based numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

import hl7

IST = timezone(timedelta(hours=5, minutes=30))


def parse(text: str) -> hl7.Message:
    """The message parsed by python-hl7 (which wants CR between segments)."""
    return hl7.parse(text.replace("\r\n", "\r").replace("\n", "\r"))


def field(message: hl7.Message, segment, number: int, component: int = 1) -> str:
    """`SEG-number.component` of the first repetition, unescaped ('' when absent).

    python-hl7 nests a field as repetitions of components of sub-components, collapsing a
    level to a plain string where there is nothing to split; this walks whichever it got."""
    if segment is None or len(segment) <= number:
        return ""
    value = segment[number]
    if not isinstance(value, str):
        value = value[0] if len(value) else ""  # first repetition
    if isinstance(value, str):
        text = value if component == 1 else ""
    elif component <= len(value):
        part = value[component - 1]
        text = part if isinstance(part, str) else (part[0] if len(part) == 1 else str(part))
        text = text if isinstance(text, str) else str(text)
    else:
        text = ""
    return (message.unescape(text) if message.esc in text else text).strip()


def first(message: hl7.Message, name: str):
    """The first segment called `name`, or None."""
    try:
        return message.segment(name)
    except KeyError:
        return None


@lru_cache(maxsize=4096)  # the OBX of one message share their times
def timestamp(value: str) -> datetime | None:
    """An HL7 TS (YYYYMMDD[HHMM[SS]][+ZZZZ]) as an aware datetime; without a zone it is
    the lab's local time (IST). None when empty or unreadable."""
    value = value.strip()
    if not value:
        return None
    zone = IST
    for sign in ("+", "-"):
        if sign in value[8:]:
            head, _, offset = value.rpartition(sign)
            if len(offset) == 4 and offset.isdigit():
                minutes = int(offset[:2]) * 60 + int(offset[2:])
                zone = timezone(timedelta(minutes=minutes if sign == "+" else -minutes))
                value = head
    value = value.split(".", 1)[0]
    for layout in ("%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d"):
        try:
            return datetime.strptime(value, layout).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    return None
