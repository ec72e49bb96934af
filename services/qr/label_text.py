"""The words on one label, laid out so that nothing a technician needs is cut.

The serial and the model are printed whole, always: in smaller type first, then on two
or three lines (broken after a dash, slash or space where possible), and only as a last
resort in type smaller still. The facility name may be shortened with an ellipsis (the
device's page has it in full); the "Scan with Yantra" hint goes first when room is short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

LEADING = 1.18  # line height as a multiple of the type size
GAP = 1.6  # points between blocks
_BREAK_AFTER = re.compile(r"[^\s\-/_.,]*[\s\-/_.,]*")


@dataclass(frozen=True)
class Line:
    font: str
    size: float
    text: str


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """`text`, cut and ended with an ellipsis where it would be wider than `width`. Only for
    words that may be shortened (a facility name, a page heading), never a serial or model."""
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits, by bisection: names can be long
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle].rstrip() + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _tokens(text: str, font: str, lines: int) -> list[tuple[str, float]]:
    """`text` in pieces a line may end after, with their widths at size 1. A piece wider
    than a line's fair share (a serial without dashes) is cut into characters."""
    pieces = [p for p in _BREAK_AFTER.findall(text) if p]
    total = stringWidth(text, font, 1)
    out: list[tuple[str, float]] = []
    for piece in pieces:
        piece_w = stringWidth(piece, font, 1)
        if lines > 1 and piece_w > 1.2 * total / lines:
            out += [(c, stringWidth(c, font, 1)) for c in piece]
        else:
            out.append((piece, piece_w))
    return out


def _pack(tokens: list[tuple[str, float]], capacity: float) -> list[str]:
    """Greedy lines of at most `capacity` (size-1 units) each."""
    lines, current, used = [], "", 0.0
    for piece, width in tokens:
        if current and used + width > capacity:
            lines.append(current)
            current, used = "", 0.0
        current, used = current + piece, used + width
    if current:
        lines.append(current)
    return lines


def _split(text: str, font: str, lines: int) -> list[str]:
    """`text` on at most `lines` lines, the widest as narrow as the breaks allow."""
    tokens = _tokens(text, font, lines)
    low = max(w for _, w in tokens)
    high = sum(w for _, w in tokens)
    for _ in range(24):  # bisection on the line capacity: packing is monotone in it
        middle = (low + high) / 2
        if len(_pack(tokens, middle)) <= lines:
            high = middle
        else:
            low = middle
    return [line.strip() for line in _pack(tokens, high)]


@lru_cache(maxsize=4096)  # a kit repeats the same model on thousands of labels
def whole_text(text: str, font: str, largest: float, width: float, most_lines: int = 3):
    """(size, lines): `text` whole, in the largest type up to `largest` that fits `width`
    on as few lines as keep it readable (a second line only when one line would need type
    under 85 % of the size two lines allow)."""
    text = " ".join(text.split())
    if not text:
        return largest, ()
    natural = stringWidth(text, font, largest)
    if natural <= width:
        return largest, (text,)
    best_size, best_lines = largest * width / natural, (text,)
    for count in range(2, most_lines + 1):
        lines = _split(text, font, count)
        widest = max(stringWidth(line, font, 1) for line in lines)
        size = min(largest, width / widest)
        if size > best_size / 0.85 or (size > best_size and len(best_lines) > 1):
            best_size, best_lines = size, tuple(lines)
    return best_size, best_lines


def label_lines(
    short_code: str, model: str, serial: str, facility: str, width: float, height: float
) -> list[list[Line]]:
    """The label's text as blocks of lines (code, model, serial, facility, hint), sized so
    that the blocks fit `width` by `height` points with the model and serial whole."""
    code_size = min(14, 14 * width / max(stringWidth(short_code, "Helvetica-Bold", 14), 1))
    shrink = 1.0
    for _ in range(12):
        model_size, model_lines = whole_text(model, "Helvetica-Bold", 8 * shrink, width, 4)
        serial_size, serial_lines = whole_text(f"S/N {serial}", "Helvetica", 7.5 * shrink, width)
        blocks = [
            [Line("Helvetica-Bold", code_size, short_code)],
            [Line("Helvetica-Bold", model_size, t) for t in model_lines],
            [Line("Helvetica", serial_size, t) for t in serial_lines],
            [Line("Helvetica", 6.5, fit_text(facility, "Helvetica", 6.5, width))]
            if facility
            else [],
            [Line("Helvetica-Oblique", 5.5, "Scan with Yantra")],
        ]
        for drop in (None, 4, 3):  # the hint goes first, then the facility
            if drop is not None:
                blocks[drop] = []
            if blocks_height(blocks) <= height:
                return [b for b in blocks if b]
        shrink *= 0.9
    return [b for b in blocks if b]


def blocks_height(blocks: list[list[Line]]) -> float:
    """Points from the top of the first line to the bottom of the last."""
    present = [b for b in blocks if b]
    lines = sum(line.size * LEADING for block in present for line in block)
    return lines + GAP * max(0, len(present) - 1)
