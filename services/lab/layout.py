"""A stored message laid out for people: segments (or ASTM records), each field numbered
and, for HL7, named from the HL7 tables hl7apy ships (off the ACK path, on demand)."""

from __future__ import annotations

import logging
from functools import lru_cache

from services.lab import hl7msg
from services.lab.astm import records

log = logging.getLogger("yantra.lab.layout")

ASTM_RECORDS = {
    "H": "Header",
    "P": "Patient",
    "O": "Order",
    "R": "Result",
    "C": "Comment",
    "Q": "Request information",
    "M": "Manufacturer information",
    "S": "Scientific",
    "L": "Terminator",
}
HL7APY_VERSIONS = {"2.3": "2.3", "2.3.1": "2.3.1", "2.4": "2.4", "2.5": "2.5", "2.5.1": "2.5.1"}


@lru_cache(maxsize=512)
def field_names(segment: str, version: str) -> tuple[str, ...]:
    """The long names of a segment's fields in an HL7 version ('' where unknown)."""
    from hl7apy import load_reference
    from hl7apy.exceptions import ChildNotFound, InvalidName, UnsupportedVersion

    try:
        reference = load_reference(segment, "Segment", HL7APY_VERSIONS.get(version, "2.5"))
    except (ChildNotFound, InvalidName, UnsupportedVersion, KeyError, ValueError):
        return ()
    return tuple(entry[1][3].replace("_", " ").capitalize() for entry in reference[1])


def layout(raw: str, protocol: str, version: str) -> list[dict]:
    """The message as a list of segments: `{"name", "title", "fields": [{"position",
    "name", "value"}]}`; empty fields are left out. An unreadable message gives one
    segment holding its text."""
    try:
        if protocol == "astm":
            return _astm(raw)
        return _hl7(raw, version)
    except (ValueError, IndexError) as error:
        log.info("message layout fell back to text: %s", type(error).__name__)
        return [
            {
                "name": "?",
                "title": "Unreadable",
                "fields": [{"position": "", "name": "", "value": raw}],
            }
        ]


def _hl7(raw: str, version: str) -> list[dict]:
    out = []
    sep = raw[3] if raw.startswith("MSH") and len(raw) > 3 else "|"
    for segment in hl7msg.segments(raw):
        name = segment[:3]
        values = segment.split(sep)
        names = field_names(name, version)
        fields = []
        # MSH-1 is the field separator itself, so MSH's numbering is shifted by one.
        offset = 1 if name == "MSH" else 0
        if name == "MSH":
            fields.append({"position": "MSH-1", "name": _at(names, 1), "value": sep})
        for index, value in enumerate(values[1:], start=1 + offset):
            if value:
                fields.append(
                    {"position": f"{name}-{index}", "name": _at(names, index), "value": value}
                )
        out.append({"name": name, "title": name, "fields": fields})
    return out


def _at(names: tuple[str, ...], position: int) -> str:
    return names[position - 1] if 0 < position <= len(names) else ""


def _astm(raw: str) -> list[dict]:
    _, parsed = records(raw)
    out = []
    for fields in parsed:
        kind = fields[0][:1]
        out.append(
            {
                "name": kind,
                "title": ASTM_RECORDS.get(kind, "Record"),
                "fields": [
                    {"position": f"{kind}-{n}", "name": "", "value": value}
                    for n, value in enumerate(fields, start=1)
                    if value and n > 1
                ],
            }
        )
    return out
