"""QR symbols: module matrices for printing, a compact stored form, PNGs for screens.

Every symbol uses error correction M (15 % of the symbol may be lost: scuffed labels in a
ward still scan) with the version and mask chosen by the `qrcode` library.
"""

from __future__ import annotations

import io
import re

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.util import MODE_ALPHA_NUM, QRData

# The QR alphanumeric set. Label payloads are written in it on purpose: 5.5 bits a
# character instead of 8 keeps them one or two versions smaller, so modules print larger.
_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]+")
QUIET_ZONE = 4


def _symbol(payload: str, border: int, box_size: int = 1) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, box_size=box_size)
    if _ALPHANUMERIC.fullmatch(payload):
        # One alphanumeric segment, stated explicitly: the library's optimiser may split a
        # payload into mixed-mode chunks whose headers cost more than they save.
        code.add_data(QRData(payload, mode=MODE_ALPHA_NUM))
    else:
        code.add_data(payload)
    code.make(fit=True)
    return code


def qr_matrix(payload: str) -> list[list[bool]]:
    """The symbol's modules for `payload`, row by row, True for dark; no quiet zone.

    Raises qrcode's DataOverflowError when the payload does not fit even a version-40 symbol."""
    return [[bool(cell) for cell in row] for row in _symbol(payload, border=0).get_matrix()]


def pack_matrix(matrix: list[list[bool]]) -> bytes:
    """The matrix as stored in the database: one byte of side length, then the modules
    row-major as bits (first module in the high bit), the last byte padded with zeros.

    Raises ValueError when the matrix is not square or wider than 255 modules."""
    side = len(matrix)
    if side > 255 or any(len(row) != side for row in matrix):
        raise ValueError("a QR matrix is square and at most 255 modules wide")
    bits = "".join("1" if cell else "0" for row in matrix for cell in row)
    bits += "0" * (-len(bits) % 8)
    body = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
    return bytes([side]) + body


def unpack_matrix(data: bytes) -> list[list[bool]]:
    """The matrix `pack_matrix` stored.

    Raises ValueError when `data` is empty or its length does not match its side length."""
    if not data:
        raise ValueError("a packed QR matrix has at least its side length")
    side, body = data[0], data[1:]
    if len(body) != (side * side + 7) // 8:
        raise ValueError(
            f"a packed {side}x{side} matrix has {(side * side + 7) // 8} bytes "
            f"of modules, not {len(body)}"
        )
    bits = bin(int.from_bytes(body, "big"))[2:].zfill(len(body) * 8) if body else ""
    return [[bit == "1" for bit in bits[r * side : (r + 1) * side]] for r in range(side)]


def qr_png(payload: str, box_size: int = 10) -> bytes:
    """A PNG of the symbol for screens: `box_size` pixels a module, with the standard
    four-module quiet zone so phone cameras find it on any background."""
    image = _symbol(payload, border=QUIET_ZONE, box_size=box_size).make_image(
        image_factory=PilImage, fill_color="black", back_color="white"
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
