"""The printable QR deployment kit: per facility a cover page (device list and
installation checklist), then A4 label sheets.

Sheets follow the common 21-up stock (Avery L7160 and equivalents): 3 x 7 labels of
63.5 x 38.1 mm. Cut marks outside the labels let plain paper work too. Each label has
the QR symbol at 25 mm with a white quiet zone of four modules, the short code a
person can read out on the phone, model, serial and facility.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from services.qr.symbols import qr_matrix

COLUMNS, ROWS = 3, 7
LABEL_W, LABEL_H = 63.5 * mm, 38.1 * mm
LEFT, TOP = 7.25 * mm, 15.15 * mm
PITCH_X, PITCH_Y = 66.04 * mm, 38.1 * mm
QR_SIZE = 25 * mm
PER_SHEET = COLUMNS * ROWS
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECKLIST = (
    "Device powered off and isolated before the label area is touched",
    "Label area cleaned with an alcohol swab and left to dry",
    "Label placed on a flat, visible surface away from heat vents and moving parts",
    "QR scanned with the Yantra app at the device to confirm deployment",
    "Installation photo taken and attached to the device record",
)
IST = ZoneInfo("Asia/Kolkata")


@dataclass
class Label:
    payload: str
    serial: str
    model: str
    facility_name: str
    short_code: str
    matrix: list[list[bool]] | None = None


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
    """Eight Crockford base32 characters of the label id, as XXXX-XXXX."""
    value = int.from_bytes(qr_id_bytes[:5], "big")
    chars = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _runs(matrix: list[list[bool]]) -> str:
    """PDF rectangle operators for the dark runs of each row, in module units."""
    side, ops = len(matrix), []
    for r, row in enumerate(matrix):
        top, c = side - 1 - r, 0
        while c < side:
            if row[c]:
                start = c
                while c < side and row[c]:
                    c += 1
                ops.append(f"{start} {top} {c - start} 1 re")
            else:
                c += 1
    return " ".join(ops)


def _draw_symbol(canvas: Canvas, matrix: list[list[bool]], x: float, y: float) -> None:
    """Dark modules as one filled path drawn in module units (short, exact operators)."""
    module = QR_SIZE / len(matrix)
    canvas.saveState()
    canvas.transform(module, 0, 0, module, x, y)
    # The symbol's path is emitted directly: thousands of labels make the generic path API
    # the slowest part of a kit.
    canvas._code.append(_runs(matrix) + " f")
    canvas.restoreState()


def _draw_label(canvas: Canvas, label: Label, x: float, y: float) -> None:
    matrix = label.matrix or qr_matrix(label.payload)
    qr_x, qr_y = x + 5 * mm, y + (LABEL_H - QR_SIZE) / 2
    _draw_symbol(canvas, matrix, qr_x, qr_y)
    text_x, width = x + 33 * mm, LABEL_W - 35 * mm
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(text_x, y + 28 * mm, label.short_code)
    canvas.setFont("Helvetica-Bold", 7)
    canvas.drawString(text_x, y + 22.5 * mm, _fit(label.model, "Helvetica-Bold", 7, width))
    canvas.setFont("Helvetica", 7)
    canvas.drawString(text_x, y + 18.5 * mm, _fit(f"S/N {label.serial}", "Helvetica", 7, width))
    canvas.setFont("Helvetica", 6)
    canvas.drawString(text_x, y + 14.5 * mm, _fit(label.facility_name, "Helvetica", 6, width))
    canvas.setFont("Helvetica-Oblique", 5.5)
    canvas.drawString(text_x, y + 8 * mm, "Scan with Yantra")


def _cut_marks(canvas: Canvas) -> None:
    canvas.setLineWidth(0.25)
    canvas.setStrokeGray(0.55)
    page_h = A4[1]
    xs = [LEFT + c * PITCH_X for c in range(COLUMNS)] + \
         [LEFT + c * PITCH_X + LABEL_W for c in range(COLUMNS)]
    ys = [page_h - TOP - r * PITCH_Y for r in range(ROWS + 1)]
    for x in xs:  # ticks in the top and bottom margins
        canvas.line(x, ys[0] + 2 * mm, x, ys[0] + 6 * mm)
        canvas.line(x, ys[-1] - 2 * mm, x, ys[-1] - 6 * mm)
    for y in ys:  # ticks in the side margins
        canvas.line(1 * mm, y, LEFT - 2 * mm, y)
        canvas.line(A4[0] - 1 * mm, y, LEFT + (COLUMNS - 1) * PITCH_X + LABEL_W + 2 * mm, y)


def _label_sheets(canvas: Canvas, labels: list[Label], tick: Callable[[], None]) -> None:
    page_h = A4[1]
    for start in range(0, len(labels), PER_SHEET):
        _cut_marks(canvas)
        canvas.setFillGray(0)
        for i, label in enumerate(labels[start:start + PER_SHEET]):
            col, row = i % COLUMNS, i // COLUMNS
            x = LEFT + col * PITCH_X
            y = page_h - TOP - (row + 1) * PITCH_Y
            _draw_label(canvas, label, x, y)
            tick()
        canvas.showPage()


def _cover(canvas: Canvas, title: str, group: KitGroup) -> None:
    width, height = A4
    f = group.facility
    y = height - 25 * mm
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(20 * mm, y, title)
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(width - 20 * mm, y, datetime.now(IST).strftime("%d %b %Y, %H:%M IST"))
    y -= 12 * mm
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(20 * mm, y, _fit(f.name, "Helvetica-Bold", 13, width - 40 * mm))
    canvas.setFont("Helvetica", 10)
    place = ", ".join(p for p in (f.address, f.city, f.state) if p)
    y -= 6 * mm
    canvas.drawString(20 * mm, y, _fit(f"{place} {f.pincode}".strip(), "Helvetica", 10,
                                       width - 40 * mm))
    y -= 6 * mm
    canvas.drawString(20 * mm, y, f"{len(group.labels)} labels in this kit")
    y = _checklist(canvas, y - 12 * mm)
    _device_table(canvas, group.labels, y - 8 * mm)


def _checklist(canvas: Canvas, y: float) -> float:
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(20 * mm, y, "Installation checklist (for each device)")
    canvas.setFont("Helvetica", 9.5)
    for item in CHECKLIST:
        y -= 7 * mm
        canvas.rect(20 * mm, y - 1 * mm, 3.5 * mm, 3.5 * mm, stroke=1, fill=0)
        canvas.drawString(27 * mm, y, item)
    return y


def _device_table(canvas: Canvas, labels: list[Label], y: float) -> None:
    width, height = A4
    columns = ((20 * mm, "Code"), (45 * mm, "Serial"), (95 * mm, "Model"))

    def header(at: float) -> float:
        canvas.setFont("Helvetica-Bold", 9)
        for x, name in columns:
            canvas.drawString(x, at, name)
        canvas.line(20 * mm, at - 2 * mm, width - 20 * mm, at - 2 * mm)
        canvas.setFont("Helvetica", 8.5)
        return at - 7 * mm

    y = header(y)
    for label in labels:
        if y < 20 * mm:
            canvas.showPage()
            y = header(height - 25 * mm)
        canvas.drawString(columns[0][0], y, label.short_code)
        canvas.drawString(columns[1][0], y, _fit(label.serial, "Helvetica", 8.5, 48 * mm))
        canvas.drawString(columns[2][0], y, _fit(label.model, "Helvetica", 8.5, 90 * mm))
        y -= 5.2 * mm
    canvas.showPage()


def build_kit(groups: list[KitGroup], title: str,
              progress: Callable[[int, int], None] | None = None) -> bytes:
    """The kit as PDF bytes; `progress(done, total)` is called every 100 labels."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Yantra")
    total, done = sum(len(g.labels) for g in groups), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and (done % 100 == 0 or done == total):
            progress(done, total)

    for group in groups:
        _cover(canvas, title, group)
        _label_sheets(canvas, group.labels, tick)
    canvas.save()
    return out.getvalue()


def data_uri(pdf: bytes) -> str:
    return "data:application/pdf;base64," + base64.b64encode(pdf).decode()
