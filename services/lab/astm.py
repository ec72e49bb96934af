"""ASTM E1381 (low-level framing) and E1394 (records) as analyzers speak them.

E1381: the sender bids with ENQ and the receiver answers ACK; each frame is
`STX FN text ETB|ETX C1 C2 CR LF`, FN the frame number 1-7 then 0, C1C2 the checksum (sum
of the bytes from FN to ETB/ETX, modulo 256, in hex); a good frame is answered ACK, a bad
one NAK (the sender repeats it); EOT ends the transmission. E1394: records (H header,
P patient, O order, R result, C comment, Q query, L terminator) separated by CR, with the
delimiters declared in the header (`H|\\^&`: field, repeat, component, escape).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

ENQ, ACK, NAK, EOT, STX, ETX, ETB = b"\x05", b"\x06", b"\x15", b"\x04", b"\x02", b"\x03", b"\x17"
CR, LF = b"\r", b"\n"
MAX_FRAME_TEXT = 240


def checksum(body: bytes) -> bytes:
    """The two hex digits closing a frame whose bytes from FN to ETB/ETX are `body`."""
    return f"{sum(body) % 256:02X}".encode()


def build_frames(text: str) -> list[bytes]:
    """`text` (records joined by CR) cut into numbered, checksummed frames."""
    data = text.encode("latin-1", errors="replace")
    chunks = [data[i : i + MAX_FRAME_TEXT] for i in range(0, len(data), MAX_FRAME_TEXT)] or [b""]
    frames = []
    for index, chunk in enumerate(chunks, start=1):
        end = ETX if index == len(chunks) else ETB
        body = str(index % 8).encode() + chunk + end
        frames.append(STX + body + checksum(body) + CR + LF)
    return frames


@dataclass
class Receiver:
    """The receiving side of E1381 for one connection. Feed it bytes; it returns replies
    to send (ACK/NAK) and, once a message's terminator record is in, `complete` holds the
    message text (the caller stores it before sending the reply of that frame)."""

    max_message: int = 1024 * 1024
    buffer: bytearray = field(default_factory=bytearray)
    text: bytearray = field(default_factory=bytearray)
    expected: int = 1
    in_transfer: bool = False
    pending_frame: bytes = b""

    def events(self, data: bytes) -> list[tuple[str, bytes]]:
        """Events for the new bytes, in order: ("reply", byte), ("message", text) just
        before the reply that acknowledges its last frame, ("eot", b"")."""
        self.buffer += data
        out: list[tuple[str, bytes]] = []
        while self.buffer:
            byte = self.buffer[:1]
            if byte == ENQ:
                del self.buffer[:1]
                self.in_transfer, self.expected, self.text = True, 1, bytearray()
                out.append(("reply", ACK))
            elif byte == EOT:
                del self.buffer[:1]
                if self.text.strip():
                    out.append(("message", bytes(self.text)))
                self.text, self.in_transfer = bytearray(), False
                out.append(("eot", b""))
            elif byte == STX:
                end = self.buffer.find(LF)
                if end < 0:
                    if len(self.buffer) > 4096:  # no frame is that long: drop it
                        self.buffer.clear()
                        out.append(("reply", NAK))
                    break
                frame_bytes = bytes(self.buffer[: end + 1])
                del self.buffer[: end + 1]
                out.extend(self._frame(frame_bytes))
            else:
                del self.buffer[:1]  # noise between frames (stray CR/LF, ACK echoes)
        return out

    def _frame(self, raw: bytes) -> list[tuple[str, bytes]]:
        # raw = STX FN text (ETB|ETX) C1 C2 CR LF
        terminator_at = max(raw.rfind(ETX), raw.rfind(ETB))
        if terminator_at < 2 or len(raw) < terminator_at + 5:
            return [("reply", NAK)]
        body = raw[1 : terminator_at + 1]
        if raw[terminator_at + 1 : terminator_at + 3].upper() != checksum(body):
            return [("reply", NAK)]
        number = body[:1]
        if not number.isdigit():
            return [("reply", NAK)]
        if int(number) != self.expected % 8:
            if int(number) == (self.expected - 1) % 8:
                return [("reply", ACK)]  # a repeat of the frame just taken
            return [("reply", NAK)]
        self.expected += 1
        self.text += body[1:-1]
        if len(self.text) > self.max_message:
            self.text = bytearray()
            return [("reply", NAK)]
        events: list[tuple[str, bytes]] = []
        if body[-1:] == ETX and _ends_with_terminator(self.text):
            events.append(("message", bytes(self.text)))
            self.text = bytearray()
        events.append(("reply", ACK))
        return events


def _ends_with_terminator(text: bytearray) -> bool:
    records = [r for r in bytes(text).split(CR) if r.strip()]
    return bool(records) and records[-1][:1] == b"L"


@dataclass
class Delimiters:
    field: str = "|"
    repeat: str = "\\"
    component: str = "^"
    escape: str = "&"


def records(text: str) -> tuple[Delimiters, list[list[str]]]:
    """The delimiters and the records (lists of fields; record type first) of a message.
    Raises ValueError when it does not start with an H record."""
    lines = [line.strip("\n") for line in text.replace("\r\n", "\r").split("\r") if line.strip()]
    if not lines or not lines[0].startswith("H") or len(lines[0]) < 5:
        raise ValueError("an ASTM message starts with an H (header) record")
    head = lines[0]
    d = Delimiters(head[1], head[2], head[3], head[4])
    parsed = []
    for line in lines:
        fields = line.split(d.field)
        if line.startswith("H"):
            fields = ["H", head[2:5]] + fields[2:]
        parsed.append(fields)
    return d, parsed


def get(d: Delimiters, record: list[str], number: int, component: int = 1) -> str:
    """Field `number` (1-based, the record type being 1) of a record, one component."""
    if len(record) < number:
        return ""
    parts = record[number - 1].split(d.repeat)[0].split(d.component)
    return parts[component - 1].strip() if component <= len(parts) else ""


@dataclass
class AstmHeader:
    sender: str
    control_id: str
    has_query: bool


def read_header(text: str) -> AstmHeader:
    """Who sent the message (H-5, first component) and its control id (H-3, else a digest
    of the content, so the same transmission twice is one message)."""
    d, parsed = records(text)
    head = parsed[0]
    sender = get(d, head, 5)
    control = get(d, head, 3) or "sha1:" + hashlib.sha1(text.encode()).hexdigest()[:32]
    return AstmHeader(sender, control, any(r[0][:1] == "Q" for r in parsed))
