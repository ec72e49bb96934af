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
from services.qr.codes import CROCKFORD, short_code  # noqa: F401  (the label's code, defined once)
from services.qr.label_text import GAP, LEADING, blocks_height, fit_text, label_lines
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
TEXT_MARGIN_Y = 2.5 * mm
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
    device_id: object = None  # whose label it is, for the caller; never printed

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


def _fit(text: str, font: str, size: float, width: float) -> str:
    return fit_text(text, font, size, width)


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
    """The words of one label, right of the symbol, centred in the label's height; the
    serial and model whole (services/qr/label_text.py)."""
    room = LABEL_H - 2 * TEXT_MARGIN_Y
    blocks = label_lines(
        label.short_code, label.model, label.serial, label.facility_name, TEXT_W, room
    )
    top = y + LABEL_H / 2 + min(room, blocks_height(blocks)) / 2
    for block in blocks:
        for line in block:
            top -= line.size * LEADING
            text.setFont(line.font, line.size)
            # The baseline sits a fifth of the line above its bottom: room for descenders.
            text.setTextOrigin(x + TEXT_X, top + line.size * LEADING * 0.22)
            text.textOut(line.text)
        top -= GAP


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


def _sheet_header(
    canvas: Canvas, title: str, facility: str, sheet: int, sheets: int, skipped: int = 0
) -> None:
    """One grey line in the top margin: which kit and sheet this is, and how to print it."""
    note = "Print at 100 % (Actual size) on A4 21-up labels, 63.5 × 38.1 mm (Avery L7160)"
    canvas.setFillGray(0.4)
    canvas.setFont("Helvetica", 6.5)
    canvas.drawRightString(PAGE_W - LEFT, PAGE_H - 8 * mm, note)
    room = PAGE_W - 2 * LEFT - stringWidth(note, "Helvetica", 6.5) - 6 * mm
    canvas.drawString(
        LEFT,
        PAGE_H - 8 * mm,
        _fit(
            f"{title} · {facility} · sheet {sheet} of {sheets}"
            + (f" · starts at label {skipped + 1}" if skipped else ""),
            "Helvetica",
            6.5,
            room,
        ),
    )
    canvas.setFillGray(0)


def _label_sheets(
    canvas: Canvas,
    title: str,
    facility: str,
    labels: list[Label],
    tick: Callable[[], None],
    first: int = 0,
) -> None:
    """`labels` on as many sheets as they need, the first one from position `first`
    (0-based): a part-used sheet goes back in the printer and no label is wasted."""
    sheets = math.ceil((first + len(labels)) / PER_SHEET)
    for sheet in range(sheets):
        _cut_marks(canvas)
        _sheet_header(canvas, title, facility, sheet + 1, sheets, first if sheet == 0 else 0)
        # One text object a sheet, not one a line: drawString per line doubles the time.
        text = canvas.beginText()
        start = 0 if sheet == 0 else sheet * PER_SHEET - first
        stop = (sheet + 1) * PER_SHEET - first
        for n, label in enumerate(labels[start:stop]):
            i = n + (first if sheet == 0 else 0)
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
        if heading == "Serial":  # whole, in smaller type: a serial is never cut
            canvas.setFont(font, min(9, 9 * width / max(stringWidth(cell, font, 9), 1)))
            canvas.drawString(left, y, cell)
            continue
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
    groups: list[KitGroup],
    title: str,
    progress: Callable[[int, int], None] | None = None,
    start_at: int = 1,
    cover: bool = True,
) -> bytes:
    """The kit as A4 PDF bytes: per group its cover pages, then its label sheets.

    `start_at` (1 to 21) is the first free label of a part-used sheet: the first label is
    printed there. Without `cover`, only label sheets are printed, every group's labels
    flowing on from the last one's, so one label spends one label, not a sheet.
    `progress(done, total)` is called every 100 labels drawn and once at the end, so a
    long kit can show how far it is. A kit without groups is a valid one-page PDF.
    Raises ValueError for a `start_at` outside 1 to 21."""
    if not 1 <= start_at <= PER_SHEET:
        raise ValueError(f"a sheet has labels 1 to {PER_SHEET}")
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

    if not cover:
        everyone = [label for group in groups for label in group.labels]
        names = {g.facility.name for g in groups if g.labels}
        site = names.pop() if len(names) == 1 else "several facilities"
        _label_sheets(canvas, title, site or "No facility yet", everyone, tick, start_at - 1)
    for n, group in enumerate(groups if cover else []):
        _device_table(
            canvas, group, _checklist(canvas, _cover_heading(canvas, title, group, generated))
        )
        facility = group.facility.name or "No facility yet"
        _label_sheets(canvas, title, facility, group.labels, tick, start_at - 1 if n == 0 else 0)
    canvas.save()
    return out.getvalue()
