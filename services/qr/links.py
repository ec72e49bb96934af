"""Labels any phone can read: the QR symbol holds a link to the device's public page,
`HTTPS://<HOST>/Q/<PAYLOAD>`, so a phone's own camera opens it in the browser.

The whole link is upper case on purpose: the signed payload is already in the QR
alphanumeric set (0-9, A-Z, space and $%*+-./:), and so are an upper-case scheme and host,
which are case-blind. One alphanumeric segment (5.5 bits a character) keeps the symbol at
version 5 (37 modules) for a host of up to about 24 characters: printed 25 mm wide with
its quiet zone, a module is 0.56 mm, which phone cameras read at arm's length.

The host comes from PUBLIC_URL (default https://localhost:8000). Labels printed before
links (the bare payload) are still read everywhere: `payload_of` takes either.
"""

from __future__ import annotations

import re

from services.qr.symbols import qr_matrix, qr_png
from services.settings import get_settings

PATH = "/Q/"
_LINK = re.compile(r"^\s*https?://[^/\s]+/q/([^/?#\s]+)/?\s*$", re.IGNORECASE)


def public_host() -> tuple[str, str]:
    """The scheme and host (with port) from PUBLIC_URL, as ("https", "yantra.example.in")."""
    base = get_settings().public_url.strip()
    scheme, sep, rest = base.partition("://")
    if not sep:
        scheme, rest = "https", base
    return scheme.lower() or "https", rest.split("/", 1)[0]


def label_url(payload: str) -> str:
    """The link a new label's symbol encodes, upper case: HTTPS://HOST/Q/PAYLOAD."""
    scheme, host = public_host()
    return f"{scheme}://{host}{PATH}{payload.strip()}".upper()


def payload_of(scanned: str) -> str:
    """The label payload inside a scanned label link (either case), or the text itself when
    it is not a link (a label printed before links, or a typed short code)."""
    found = _LINK.match(scanned or "")
    return found.group(1).upper() if found else (scanned or "")


def label_matrix(payload: str) -> list[list[bool]]:
    """The modules of a new label's symbol: its link, in one alphanumeric segment."""
    return qr_matrix(label_url(payload))


def label_png(payload: str, box_size: int = 10) -> bytes:
    """A PNG of a label's symbol (its link) for screens, with the quiet zone."""
    return qr_png(label_url(payload), box_size)
