"""QR symbols: module matrices for printing, compact storage, PNGs for screens."""

from __future__ import annotations

import io
import re

import qrcode
from qrcode.util import MODE_ALPHA_NUM, QRData

_ALNUM = re.compile(r"^[0-9A-Z $%*+\-./:]+$")


def qr_matrix(payload: str) -> list[list[bool]]:
    """Modules of the symbol for `payload` (no quiet zone), error correction M, best mask."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(QRData(payload, mode=MODE_ALPHA_NUM) if _ALNUM.match(payload) else payload)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def pack_matrix(matrix: list[list[bool]]) -> bytes:
    """Side length, then the modules row by row as bits."""
    side = len(matrix)
    bits = [cell for row in matrix for cell in row]
    out = bytearray([side])
    for start in range(0, len(bits), 8):
        byte = 0
        for offset, bit in enumerate(bits[start:start + 8]):
            byte |= bit << (7 - offset)
        out.append(byte)
    return bytes(out)


def unpack_matrix(data: bytes) -> list[list[bool]]:
    side = data[0]
    bits = [bool(byte >> (7 - i) & 1) for byte in data[1:] for i in range(8)]
    return [bits[r * side:(r + 1) * side] for r in range(side)]


def qr_png(payload: str, box_size: int = 10) -> bytes:
    """A PNG of the symbol with the standard four-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         box_size=box_size)
    code.add_data(QRData(payload, mode=MODE_ALPHA_NUM) if _ALNUM.match(payload) else payload)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()
