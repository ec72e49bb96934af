"""MLLP framing: `0x0B` message `0x1C 0x0D`, whatever way the bytes arrive.

A reader is fed what each socket read returns and hands back whole frames; a frame split
over several reads is joined, several frames in one read are all returned, and a frame
growing past the limit is refused (its bytes are dropped up to the next end block) so one
bad sender cannot exhaust the listener's memory.
"""

from __future__ import annotations

from dataclasses import dataclass

START = b"\x0b"
END = b"\x1c\x0d"
DEFAULT_MAX_FRAME = 1024 * 1024


def frame(payload: bytes) -> bytes:
    """The payload wrapped for the wire."""
    return START + payload + END


@dataclass
class Oversized:
    """A frame refused because it grew past `limit` bytes; `head` is its beginning (enough
    to answer the message it carried)."""

    limit: int
    head: bytes = b""


@dataclass
class Garbage:
    """Bytes outside any frame (before a start block), skipped."""

    size: int


class FrameReader:
    """Turns socket reads into frames (bytes), `Oversized` and `Garbage` events."""

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME):
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._in_frame = False
        self._skipping = False

    def feed(self, data: bytes) -> list[bytes | Oversized | Garbage]:
        """Everything the new bytes complete, in order."""
        self._buffer += data
        events: list[bytes | Oversized | Garbage] = []
        while self._buffer:
            if self._skipping:
                end = self._buffer.find(END)
                if end < 0:
                    keep = self._buffer[-1:] if self._buffer.endswith(b"\x1c") else b""
                    self._buffer = bytearray(keep)
                    break
                del self._buffer[: end + len(END)]
                self._skipping = False
                continue
            if not self._in_frame:
                start = self._buffer.find(START)
                if start < 0:
                    if self._buffer.strip():
                        events.append(Garbage(len(self._buffer)))
                    self._buffer.clear()
                    break
                if self._buffer[:start].strip():
                    events.append(Garbage(start))
                del self._buffer[: start + 1]
                self._in_frame = True
            end = self._buffer.find(END)
            if end < 0:
                if len(self._buffer) > self.max_frame:
                    events.append(Oversized(self.max_frame, bytes(self._buffer[:4096])))
                    self._buffer.clear()
                    self._in_frame = False
                    self._skipping = True
                break
            if end > self.max_frame:
                events.append(Oversized(self.max_frame, bytes(self._buffer[:4096])))
            else:
                events.append(bytes(self._buffer[:end]))
            del self._buffer[: end + len(END)]
            self._in_frame = False
        return events
