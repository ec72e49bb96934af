"""The printed kit: labels on A4 sheets whose QR codes read back to the signed payloads."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from services.qr.kit import (
    COLUMNS,
    LABEL_H,
    LABEL_W,
    LEFT,
    PER_SHEET,
    PITCH_X,
    PITCH_Y,
    TOP,
    FacilityInfo,
    KitGroup,
    Label,
    build_kit,
    short_code,
)
from services.qr.signing import sign_label, verify_label
from services.qr.symbols import pack_matrix, qr_matrix, unpack_matrix

SITE_A = FacilityInfo("Sanjeevani Multispeciality, Safdarjung", "Ring Road", "110029",
                      "Delhi", "Delhi")
SITE_B = FacilityInfo("Arogya Lab, Banjara Hills", "Road No. 12", "500034", "Hyderabad",
                      "Telangana")


def _labels(count: int, site: FacilityInfo) -> list[Label]:
    labels = []
    for n in range(count):
        qr_id = uuid.uuid4()
        payload, _ = sign_label(qr_id, uuid.uuid4())
        labels.append(Label(payload, f"SN-{n:05d}", "Vitalis 12 Patient Monitor with a long name",
                            site.name, short_code(qr_id.bytes)))
    return labels


DPI = 300
PX = DPI / 72  # pixels per PDF point


def _cells(page: Path) -> list[list]:
    """What each of the 21 label positions of a rendered sheet decodes to."""
    image = Image.open(page)
    cells = []
    for i in range(PER_SHEET):
        col, row = i % COLUMNS, i // COLUMNS
        x, y = (LEFT + col * PITCH_X) * PX, (TOP + row * PITCH_Y) * PX
        crop = image.crop((int(x), int(y), int(x + LABEL_W * PX), int(y + LABEL_H * PX)))
        cells.append(decode(crop, symbols=[ZBarSymbol.QRCODE]))
    return cells


def _render(pdf: bytes, tmp_path: Path) -> list[Path]:
    path = tmp_path / "kit.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(path), str(tmp_path / "page")],
                   check=True)
    return sorted(tmp_path.glob("page-*.png"))


def test_every_label_reads_back_to_a_valid_signed_payload(tmp_path: Path):
    groups = [KitGroup(SITE_A, _labels(25, SITE_A)), KitGroup(SITE_B, _labels(3, SITE_B))]
    pages = _render(build_kit(groups, "QR deployment kit"), tmp_path)
    # Per facility: one cover page, then its label sheets.
    assert len(pages) == (1 + 2) + (1 + 1)
    read, widths = [], []
    for page in (pages[1], pages[2], pages[4]):
        for cell in _cells(page):
            for symbol in cell:
                read.append(symbol.data.decode())
                widths.append(symbol.rect.width)
    expected = [label.payload for group in groups for label in group.labels]
    assert read == expected, "every label, in order, in its place on the sheet"
    for payload in read:
        verify_label(payload)
    side = len(qr_matrix(expected[0]))
    printed_mm = sum(widths) / len(widths) / DPI * 25.4
    assert abs(printed_mm - 25) < 25 * 0.05, f"QR printed {printed_mm:.1f} mm wide for {side} modules"


def test_labels_fill_21_up_sheets(tmp_path: Path):
    assert PER_SHEET == 21
    pdf = build_kit([KitGroup(SITE_A, _labels(43, SITE_A))], "QR deployment kit")
    sheets = _render(pdf, tmp_path)[-3:]
    filled = [sum(1 for cell in _cells(page) if cell) for page in sheets]
    assert filled == [21, 21, 1]


def test_stored_matrix_round_trips_and_short_codes_are_readable():
    payload, _ = sign_label(uuid.uuid4(), uuid.uuid4())
    matrix = qr_matrix(payload)
    assert unpack_matrix(pack_matrix(matrix)) == matrix
    assert len(matrix) == 33, "a label payload should fit a version-4 symbol"
    codes = {short_code(uuid.uuid4().bytes) for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert not set(code.replace("-", "")) & set("ILOU")


def test_a_kit_without_labels_is_still_a_valid_pdf():
    assert build_kit([], "QR deployment kit")[:5] == b"%PDF-"
