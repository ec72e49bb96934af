"""The few parts of an HL7 v2 message the acknowledgement needs, read without a full parse.

`read_header` splits the `MSH` segment only; `check` looks at each segment's name so a
message that is not HL7 at all is answered `AE` at once; `build_ack` writes the `ACK`
(`MSA-1` code, `MSA-2` = the message's `MSH-10`, an `ERR` segment saying what was wrong).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime

SUPPORTED_VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1")
SUPPORTED_TYPES = ("ORU^R01", "ORM^O01", "ADT^A01", "ADT^A08")
_SEGMENT_NAME = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_ack_counter = itertools.count(1)


class Rejected(Exception):
    """The message cannot be accepted: `code` (`AE` or `AR`), HL7 error code, and why."""

    def __init__(self, code: str, hl7_error: str, reason: str, location: str = ""):
        super().__init__(reason)
        self.code = code
        self.hl7_error = hl7_error
        self.reason = reason
        self.location = location


@dataclass
class Header:
    """What `MSH` says of a message (first components only)."""

    field_sep: str = "|"
    encoding: str = "^~\\&"
    sending_application: str = ""
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    message_type: str = ""
    control_id: str = ""
    processing_id: str = "P"
    version: str = "2.5.1"

    @property
    def component_sep(self) -> str:
        return self.encoding[0] if self.encoding else "^"


def segments(text: str) -> list[str]:
    """The message's segments (HL7 ends them with CR; LF and CRLF are accepted too)."""
    return [s for s in re.split(r"\r\n|\r|\n", text) if s.strip()]


def read_header(text: str) -> Header:
    """The `MSH` fields of `text`; raises `Rejected` when there is no usable `MSH`."""
    if not text.startswith("MSH") or len(text) < 8:
        raise Rejected("AR", "100", "the message does not start with an MSH segment", "MSH")
    sep = text[3]
    first = text.split("\r", 1)[0].split("\n", 1)[0]
    fields = first.split(sep)
    # fields[1] is MSH-2 (encoding characters): MSH-n is fields[n - 1].
    encoding = fields[1] if len(fields) > 1 else "^~\\&"
    comp = encoding[0] if encoding else "^"

    def field(n: int, components: int = 1) -> str:
        value = fields[n - 1] if len(fields) >= n else ""
        return comp.join(value.split(comp)[:components]).strip()

    msg_type = field(9, 2)
    header = Header(
        field_sep=sep,
        encoding=encoding,
        sending_application=field(3),
        sending_facility=field(4),
        receiving_application=field(5),
        receiving_facility=field(6),
        message_type=msg_type.replace(comp, "^"),
        control_id=field(10),
        processing_id=field(11) or "P",
        version=field(12) or "",
    )
    return header


def check(text: str, header: Header) -> None:
    """Raises `Rejected` when the message cannot be taken: missing `MSH-10` or `MSH-3`,
    an unsupported type or version, or lines that are not segments."""
    if not header.control_id:
        raise Rejected("AR", "101", "MSH-10 (message control id) is empty", "MSH^1^10")
    if not header.sending_application:
        raise Rejected("AR", "101", "MSH-3 (sending application) is empty", "MSH^1^3")
    if header.version not in SUPPORTED_VERSIONS:
        raise Rejected(
            "AR",
            "203",
            f"HL7 version {header.version or '(none)'} is not supported (2.3 to 2.5.1)",
            "MSH^1^12",
        )
    if header.message_type not in SUPPORTED_TYPES:
        raise Rejected(
            "AR",
            "200",
            f"message type {header.message_type or '(none)'} is not supported "
            f"({', '.join(SUPPORTED_TYPES)})",
            "MSH^1^9",
        )
    names = []
    for index, segment in enumerate(segments(text), start=1):
        name = segment[:3]
        if not _SEGMENT_NAME.match(name) or (len(segment) > 3 and segment[3] != header.field_sep):
            raise Rejected("AE", "100", f"line {index} is not an HL7 segment", f"{name}^{index}")
        names.append(name)
    if header.message_type == "ORU^R01" and "OBX" not in names:
        raise Rejected("AE", "101", "an ORU^R01 message needs at least one OBX segment", "OBX")
    if header.message_type.startswith("ADT") and "PID" not in names:
        raise Rejected("AE", "101", "an ADT message needs a PID segment", "PID")
    if header.message_type == "ORM^O01" and "ORC" not in names:
        raise Rejected("AE", "101", "an ORM^O01 message needs an ORC segment", "ORC")


def escape(value: str, header: Header | None = None) -> str:
    """`value` with HL7 delimiters escaped, safe inside one field."""
    sep = header.field_sep if header else "|"
    enc = header.encoding if header else ""
    enc = enc + "^~\\&"[len(enc) :] if len(enc) < 4 else enc
    comp, rep, esc, sub = enc[0], enc[1], enc[2], enc[3]
    out = value.replace(esc, f"{esc}E{esc}")
    for char, code in ((sep, "F"), (comp, "S"), (rep, "R"), (sub, "T")):
        out = out.replace(char, f"{esc}{code}{esc}")
    return out.replace("\r", " ").replace("\n", " ")


def build_ack(
    header: Header | None,
    code: str,
    reason: str = "",
    hl7_error: str = "207",
    location: str = "",
) -> bytes:
    """An `ACK` for the message whose header is `header` (None when it had no usable MSH).

    `MSA-1` is `code`, `MSA-2` the message's control id; an `ERR` segment follows when a
    reason is given, in the layout of the message's version (2.5 and later: ERR-2/3/4/8)."""
    h = header or Header()
    sep, enc = h.field_sep, h.encoding or "^~\\&"
    comp = h.component_sep
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    version = h.version if h.version in SUPPORTED_VERSIONS else "2.5.1"
    trigger = h.message_type.split("^")[1] if "^" in h.message_type else ""
    ack_id = f"ACK{now}{next(_ack_counter)}"
    msh = sep.join(
        [
            "MSH",
            enc,
            escape(h.receiving_application, h) or "YANTRA",
            escape(h.receiving_facility, h),
            escape(h.sending_application, h),
            escape(h.sending_facility, h),
            now,
            "",
            f"ACK{comp}{trigger}{comp}ACK" if trigger else "ACK",
            ack_id,
            h.processing_id or "P",
            version,
        ]
    )
    text = escape(reason, h)
    lines = [msh, sep.join(["MSA", code, escape(h.control_id, h), text])]
    if reason:
        severity = "E"
        names = {
            "100": "Segment sequence error",
            "101": "Required field missing",
            "200": "Unsupported message type",
            "203": "Unsupported version id",
            "204": "Unknown key identifier",
            "207": "Application internal error",
        }
        error = comp.join([hl7_error, names.get(hl7_error, "Error"), "HL70357"])
        where = location.replace("^", comp)
        if version in ("2.5", "2.5.1"):
            lines.append(sep.join(["ERR", "", where, error, severity, "", "", "", text]))
        else:
            sub = enc[3] if len(enc) > 3 else "&"
            lines.append(sep.join(["ERR", where + comp * 3 + error.replace(comp, sub)]))
    return ("\r".join(lines) + "\r").encode("utf-8")
