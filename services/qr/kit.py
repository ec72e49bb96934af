"""The printable QR deployment kit: per facility a cover (checklist and device list), then
A4 label sheets that field teams stick on the devices.

Sheets follow the common 21-up stock (Avery L7160 and equivalents): 3 x 7 labels of
63.5 x 38.1 mm. Cut marks outside the labels let plain paper work too. Each label has the
QR symbol in a 25 mm white square (the four-module quiet zone included), the short code a
person can read out on the phone, the model, the serial and the facility.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from services.common.clock import IST
from services.qr.symbols import QUIET_ZONE, qr_matrix

PAGE_W, PAGE_H = A4
COLUMNS, ROWS = 3, 7
PER_SHEET = COLUMNS * ROWS
LABEL_W, LABEL_H = 63.5 * mm, 38.1 * mm
LEFT, TOP = 7.25 * mm, 15.15 * mm
PITCH_X, PITCH_Y = 66.04 * mm, 38.1 * mm
QR_SIZE = 25 * mm
QR_INSET = 1.5 * mm  # from the label's left edge: clear of the stock's rounded corners
TEXT_X = QR_INSET + QR_SIZE + 1.5 * mm
TEXT_W = LABEL_W - TEXT_X - 2 * mm
PROGRESS_EVERY = 100
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECKLIST = (
    "Device powered off and isolated",
    "Label area cleaned with alcohol swab and dry",
    "Label placed on a flat, visible surface away from heat vents",
    "QR scanned with the Yantra app at the device to confirm deployment",
    "Installation photo taken",
)
_DARK_RUN = re.compile(b"\x01+")


@dataclass
class Label:
    """One printed label; the matrix is computed from the payload when not given."""

    payload: str
    serial: str
    model: str
    facility_name: str
    short_code: str
    matrix: list[list[bool]] | None = None

    def __post_init__(self) -> None:
        if self.matrix is None:
            self.matrix = qr_matrix(self.payload)


@dataclass(frozen=True)
class FacilityInfo:
    name: str
    address: str
    pincode: str
    city: str
    state: str


@dataclass
class KitGroup:
    facility: FacilityInfo
    labels: list[Label] = field(default_factory=list)


def short_code(qr_id_bytes: bytes) -> str:
    """The first five bytes of a label id as eight Crockford base32 characters, "XXXX-XXXX".

    Crockford's alphabet has no I, L, O or U, so a code read out on the phone is not
    mistaken for 1, 0 or V. Raises ValueError for fewer than five bytes."""
    if len(qr_id_bytes) < 5:
        raise ValueError("a short code needs at least five bytes of the label id")
    value = int.from_bytes(qr_id_bytes[:5], "big")
    chars = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, cut and ended with an ellipsis where it would be wider than `width`."""
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


def _fit_size(text: str, font: str, largest: float, width: float) -> float:
    """The largest font size up to `largest` at which `text` is at most `width` wide."""
    natural = stringWidth(text, font, largest)
    return largest if natural <= width else largest * width / natural


def _symbol_path(matrix: list[list[bool]]) -> str:
    """PDF operators filling the dark modules as one path, in module units, origin at the
    symbol's bottom-left. One rectangle a horizontal run keeps 10,000-label kits fast, and
    one path (rather than a fill per rectangle) leaves no hairline seams between rows."""
    side, ops = len(matrix), []
    for r, row in enumerate(matrix):
        top = side - 1 - r
        ops.extend(
            f"{run.start()} {top} {run.end() - run.start()} 1 re"
            for run in _DARK_RUN.finditer(bytes(row))
        )
    return " ".join(ops) + " f"


def _draw_symbol(canvas: Canvas, matrix: list[list[bool]], x: float, y: float) -> None:
    """The symbol with its quiet zone, QR_SIZE square, lower-left corner at (x, y)."""
    module = QR_SIZE / (len(matrix) + 2 * QUIET_ZONE)
    origin_x, origin_y = x + QUIET_ZONE * module, y + QUIET_ZONE * module
    # Raw operators: the canvas path API costs more than the rest of a big kit together.
    canvas.addLiteral(
        f"q 1 g {x:.3f} {y:.3f} {QR_SIZE:.3f} {QR_SIZE:.3f} re f 0 g "
        f"{module:.5f} 0 0 {module:.5f} {origin_x:.3f} {origin_y:.3f} cm "
        f"{_symbol_path(matrix)} Q"
    )


def _label_text(text: PDFTextObject, label: Label, x: float, y: float) -> None:
    """The words of one label, right of the symbol, each line cut to the label's width."""
    left = x + TEXT_X
    code_size = _fit_size(label.short_code, "Helvetica-Bold", 14, TEXT_W)
    # The model names the device to the person holding the label: shrink it a little
    # before cutting it, but not below what a worn label still shows.
    model_size = max(6.5, _fit_size(label.model, "Helvetica-Bold", 8, TEXT_W))
    lines = (
        (y + 26.3 * mm, "Helvetica-Bold", code_size, label.short_code),
        (
            y + 21 * mm,
            "Helvetica-Bold",
            model_size,
            _fit(label.model, "Helvetica-Bold", model_size, TEXT_W),
        ),
        (y + 17.3 * mm, "Helvetica", 7.5, _fit(f"S/N {label.serial}", "Helvetica", 7.5, TEXT_W)),
        (y + 13.8 * mm, "Helvetica", 6.5, _fit(label.facility_name, "Helvetica", 6.5, TEXT_W)),
        (y + 9.7 * mm, "Helvetica-Oblique", 5.5, "Scan with Yantra"),
    )
    for baseline, font, font_size, words in lines:
        if words:
            text.setFont(font, font_size)
            text.setTextOrigin(left, baseline)
            text.textOut(words)


def _cut_marks(canvas: Canvas) -> None:
    """Short ticks in line with each label edge, all outside the labels: vertical ones in
    the top and bottom margins, horizontal ones in the side margins and column gaps."""
    lefts = [LEFT + c * PITCH_X for c in range(COLUMNS)]
    edges_x = [x for left in lefts for x in (left, left + LABEL_W)]
    edges_y = [PAGE_H - TOP - r * PITCH_Y for r in range(ROWS + 1)]
    top, bottom = edges_y[0], edges_y[-1]
    ticks = [(x, top + 1 * mm, x, top + 5 * mm) for x in edges_x]
    ticks += [(x, bottom - 1 * mm, x, bottom - 5 * mm) for x in edges_x]
    for y in edges_y:
        ticks.append((lefts[0] - 1 * mm, y, lefts[0] - 5 * mm, y))
        ticks.append((edges_x[-1] + 1 * mm, y, edges_x[-1] + 5 * mm, y))
        ticks += [
            (left + LABEL_W + 0.4 * mm, y, following - 0.4 * mm, y)
            for left, following in pairwise(lefts)
        ]
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.45)
    canvas.lines(ticks)


def _sheet_header(canvas: Canvas, title: str, facility: str, sheet: int, sheets: int) -> None:
    """One grey line in the top margin: which kit and sheet this is, and how to print it."""
    note = "Print at 100 % (Actual size) on A4 21-up labels, 63.5 × 38.1 mm (Avery L7160)"
    canvas.setFillGray(0.4)
    canvas.setFont("Helvetica", 6.5)
    canvas.drawRightString(PAGE_W - LEFT, PAGE_H - 8 * mm, note)
    room = PAGE_W - 2 * LEFT - stringWidth(note, "Helvetica", 6.5) - 6 * mm
    canvas.drawString(
        LEFT,
        PAGE_H - 8 * mm,
        _fit(f"{title} · {facility} · sheet {sheet} of {sheets}", "Helvetica", 6.5, room),
    )
    canvas.setFillGray(0)


def _label_sheets(canvas: Canvas, title: str, group: KitGroup, tick: Callable[[], None]) -> None:
    labels, facility = group.labels, group.facility.name or "No facility yet"
    sheets = math.ceil(len(labels) / PER_SHEET)
    for sheet in range(sheets):
        _cut_marks(canvas)
        _sheet_header(canvas, title, facility, sheet + 1, sheets)
        # One text object a sheet, not one a line: drawString per line doubles the time.
        text = canvas.beginText()
        for i, label in enumerate(labels[sheet * PER_SHEET : (sheet + 1) * PER_SHEET]):
            x = LEFT + (i % COLUMNS) * PITCH_X
            y = PAGE_H - TOP - (i // COLUMNS + 1) * PITCH_Y
            _draw_symbol(canvas, label.matrix, x + QR_INSET, y + (LABEL_H - QR_SIZE) / 2)
            _label_text(text, label, x, y)
            tick()
        canvas.drawText(text)
        canvas.showPage()


MARGIN = 18 * mm
ROW_H = 5.4 * mm
TABLE_BOTTOM = 22 * mm
CONTINUED_TOP = PAGE_H - MARGIN - 16 * mm
# (left edge, width, heading) of the device table's columns; a tick box closes each row.
TABLE = (
    (MARGIN, 9 * mm, "#"),
    (MARGIN + 10 * mm, 24 * mm, "Code"),
    (MARGIN + 35 * mm, 44 * mm, "Serial"),
    (MARGIN + 80 * mm, 68 * mm, "Model"),
)
TICK_X = PAGE_W - MARGIN - 9 * mm


def _cover_heading(canvas: Canvas, title: str, group: KitGroup, generated: str) -> float:
    """Title, date, facility and what the kit holds. Returns where the next block starts."""
    f, width = group.facility, PAGE_W - 2 * MARGIN
    y = PAGE_H - MARGIN - 6 * mm
    canvas.setFont("Helvetica", 8.5)
    canvas.setFillGray(0.35)
    canvas.drawRightString(PAGE_W - MARGIN, y, f"Generated {generated}")
    canvas.setFillGray(0)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(MARGIN, y, _fit(title, "Helvetica-Bold", 18, width - 60 * mm))
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y - 4 * mm, PAGE_W - MARGIN, y - 4 * mm)
    y -= 13 * mm
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(MARGIN, y, _fit(f.name or "No facility yet", "Helvetica-Bold", 14, width))
    canvas.setFont("Helvetica", 10)
    place = ", ".join(part for part in (f.city, f.state) if part)
    for line in (f.address, f"{place} – {f.pincode}" if f.pincode else place):
        if line:
            y -= 5.5 * mm
            canvas.drawString(MARGIN, y, _fit(line, "Helvetica", 10, width))
    count, sheets = len(group.labels), math.ceil(len(group.labels) / PER_SHEET)
    y -= 8 * mm
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(
        MARGIN,
        y,
        f"{count:,} device{'s' * (count != 1)} · {sheets:,} label sheet{'s' * (sheets != 1)}",
    )
    return y - 11 * mm


def _checklist(canvas: Canvas, y: float) -> float:
    """The installation checklist with tick boxes. Returns where the next block starts."""
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN, y, "Installation checklist, for every device")
    canvas.setLineWidth(0.6)
    for item in CHECKLIST:
        y -= 7 * mm
        canvas.rect(MARGIN, y - 0.8 * mm, 4 * mm, 4 * mm, stroke=1, fill=0)
        canvas.setFont("Helvetica", 10)
        canvas.drawString(MARGIN + 7 * mm, y, _fit(item, "Helvetica", 10, PAGE_W - 2 * MARGIN))
    y -= 8 * mm
    canvas.setFont("Helvetica-Oblique", 8.5)
    canvas.setFillGray(0.3)
    canvas.drawString(
        MARGIN,
        y,
        "Print the label sheets at 100 % (Actual size), never "
        "“fit to page”: the labels must line up with the stock.",
    )
    canvas.setFillGray(0)
    return y - 12 * mm


def _table_header(canvas: Canvas, y: float) -> float:
    canvas.setFont("Helvetica-Bold", 9)
    for left, _, heading in TABLE:
        canvas.drawString(left, y, heading)
    canvas.drawRightString(PAGE_W - MARGIN, y, "Installed")
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y - 2 * mm, PAGE_W - MARGIN, y - 2 * mm)
    return y - 2 * mm - ROW_H


def _cover_footer(canvas: Canvas, facility: str, page: int, pages: int) -> None:
    canvas.setFont("Helvetica", 8)
    canvas.setFillGray(0.35)
    canvas.drawString(MARGIN, 12 * mm, _fit(facility, "Helvetica", 8, PAGE_W / 2))
    canvas.drawRightString(PAGE_W - MARGIN, 12 * mm, f"Device list, page {page} of {pages}")
    canvas.setFillGray(0)


def _continued(canvas: Canvas, facility: str) -> float:
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(
        MARGIN,
        PAGE_H - MARGIN - 6 * mm,
        _fit(f"{facility}: devices (continued)", "Helvetica-Bold", 11, PAGE_W - 2 * MARGIN),
    )
    return CONTINUED_TOP


def _table_row(canvas: Canvas, n: int, label: Label, y: float) -> None:
    if n % 2 == 0:  # light bands keep a long row readable across the page
        canvas.setFillGray(0.93)
        canvas.rect(MARGIN, y - 1.6 * mm, PAGE_W - 2 * MARGIN, ROW_H, stroke=0, fill=1)
        canvas.setFillGray(0)
    cells = (str(n), label.short_code, label.serial, label.model)
    for (left, width, heading), cell in zip(TABLE, cells, strict=True):
        font = "Helvetica-Bold" if heading == "Code" else "Helvetica"
        canvas.setFont(font, 9)
        canvas.drawString(left, y, _fit(cell, font, 9, width))
    canvas.rect(TICK_X + 2.5 * mm, y - 0.6 * mm, 3.4 * mm, 3.4 * mm, stroke=1, fill=0)


def _device_table(canvas: Canvas, group: KitGroup, y: float) -> None:
    """Every device of the group, one row each, flowing onto as many pages as it needs."""
    labels, facility = group.labels, group.facility.name or "No facility yet"
    first = max(0, int((y - 2 * mm - TABLE_BOTTOM) // ROW_H))
    per_page = int((CONTINUED_TOP - 2 * mm - TABLE_BOTTOM) // ROW_H)
    chunks = [labels[:first]] + [
        labels[start : start + per_page] for start in range(first, len(labels), per_page)
    ]
    number = 0
    for page, chunk in enumerate(chunks, start=1):
        if page > 1:
            y = _continued(canvas, facility)
        y = _table_header(canvas, y)
        for label in chunk:
            number += 1
            _table_row(canvas, number, label, y)
            y -= ROW_H
        if not labels:
            canvas.setFont("Helvetica-Oblique", 9)
            canvas.drawString(MARGIN, y, "No devices in this kit for this facility.")
        _cover_footer(canvas, facility, page, len(chunks))
        canvas.showPage()


def build_kit(
    groups: list[KitGroup], title: str, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """The kit as A4 PDF bytes: per group its cover pages, then its label sheets.

    `progress(done, total)` is called every 100 labels drawn and once at the end, so a
    long kit can show how far it is. A kit without groups is a valid one-page PDF."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Yantra")
    generated = datetime.now(IST).strftime("%d %b %Y, %H:%M IST")
    total, done = sum(len(g.labels) for g in groups), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)

    for group in groups:
        _device_table(
            canvas, group, _checklist(canvas, _cover_heading(canvas, title, group, generated))
        )
        _label_sheets(canvas, title, group, tick)
    canvas.save()
    return out.getvalue()
