"""Reading fields out of a message parsed by python-hl7, by HL7's 1-based numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import hl7

IST = timezone(timedelta(hours=5, minutes=30))


def parse(text: str) -> hl7.Message:
    """The message parsed by python-hl7 (which wants CR between segments)."""
    return hl7.parse(text.replace("\r\n", "\r").replace("\n", "\r"))


def field(message: hl7.Message, segment, number: int, component: int = 1) -> str:
    """`SEG-number.component` of the first repetition, unescaped ('' when absent)."""
    if segment is None or len(segment) <= number:
        return ""
    # python-hl7 keeps the separators in order: segment, field, repetition, component, sub.
    seps = message.separators
    rep, comp = (seps[2], seps[3]) if len(seps) > 3 else ("~", "^")
    parts = str(segment[number]).split(rep, 1)[0].split(comp)
    if component > len(parts):
        return ""
    text = parts[component - 1]
    return (message.unescape(text) if message.esc in text else text).strip()


def first(message: hl7.Message, name: str):
    """The first segment called `name`, or None."""
    try:
        return message.segment(name)
    except KeyError:
        return None


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
