"""The printed QR kit: what a field team prints must scan back to exactly the labels issued,
at the size and in the places the label stock expects."""

from __future__ import annotations

import base64
import io
import math
import os
import re
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from services.qr.kit import (
    COLUMNS,
    CROCKFORD,
    LABEL_H,
    LABEL_W,
    LEFT,
    PER_SHEET,
    PITCH_X,
    PITCH_Y,
    QR_INSET,
    QR_SIZE,
    TOP,
    FacilityInfo,
    KitGroup,
    Label,
    build_kit,
    short_code,
)
from services.qr.symbols import pack_matrix, qr_matrix, qr_png, unpack_matrix

DPI = 300
PX = DPI / 72  # pixels per PDF point
MM_PER_PX = 25.4 / DPI
HOSPITAL = FacilityInfo(
    "Sanjeevani Multispeciality Hospital, Safdarjung", "Ring Road", "110029", "New Delhi", "Delhi"
)
LAB = FacilityInfo(
    "Arogya Diagnostics, Banjara Hills", "Road No. 12", "500034", "Hyderabad", "Telangana"
)


def _payload() -> str:
    """A label payload shaped like the signed ones: "Y1" and base32, 82 characters."""
    return "Y1" + base64.b32encode(os.urandom(50)).decode()


def _labels(count: int, site: FacilityInfo, **overrides) -> list[Label]:
    labels = []
    for n in range(count):
        fields = {
            "payload": _payload(),
            "serial": f"VPM12-{n:06d}",
            "model": "Vitalis 12 Multiparameter Patient Monitor",
            "facility_name": site.name,
            "short_code": short_code(os.urandom(5)),
        } | overrides
        labels.append(Label(**fields))
    return labels


def _render(pdf: bytes, tmp_path: Path, dpi: int = DPI) -> list[Path]:
    path = tmp_path / "kit.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True
    )
    return sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))


def _page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def _label_box(i: int, px: float = PX) -> tuple[int, int, int, int]:
    """Pixel box of label position i (0..20) on a rendered sheet."""
    x, y = LEFT + (i % COLUMNS) * PITCH_X, TOP + (i // COLUMNS) * PITCH_Y
    return int(x * px), int(y * px), int((x + LABEL_W) * px), int((y + LABEL_H) * px)


def _read_sheet(page: Path) -> list[list]:
    """The QR symbols found in each of the 21 label positions of a rendered sheet."""
    image = Image.open(page).convert("L")
    return [
        decode(image.crop(_label_box(i)), symbols=[ZBarSymbol.QRCODE]) for i in range(PER_SHEET)
    ]


def test_every_label_scans_back_to_its_payload_at_25_mm(tmp_path: Path):
    groups = [KitGroup(HOSPITAL, _labels(25, HOSPITAL)), KitGroup(LAB, _labels(3, LAB))]
    pages = _render(build_kit(groups, "QR deployment kit"), tmp_path)

    # Per facility one cover page (its device list fits), then ceil(n / 21) sheets.
    assert len(pages) == (1 + 2) + (1 + 1)
    for cover in (pages[0], pages[3]):
        assert decode(Image.open(cover).convert("L"), symbols=[ZBarSymbol.QRCODE]) == []
    read, widths = [], []
    for sheet in (pages[1], pages[2], pages[4]):
        for found in _read_sheet(sheet):
            assert len(found) <= 1, "one symbol a label"
            read += [symbol.data.decode() for symbol in found]
            widths += [symbol.rect.width for symbol in found]
    assert read == [label.payload for group in groups for label in group.labels], (
        "all 28 labels, in order, each in its place on the sheet, none extra"
    )

    side = len(groups[0].labels[0].matrix)
    expected_mm = 25 * side / (side + 8)  # the decoded outline leaves out the quiet zone
    for width in widths:
        assert width * MM_PER_PX == pytest.approx(expected_mm, rel=0.05)


def test_a_long_device_list_flows_onto_more_cover_pages(tmp_path: Path):
    labels = _labels(120, HOSPITAL, matrix=qr_matrix(_payload()))
    pdf = build_kit([KitGroup(HOSPITAL, labels)], "QR deployment kit")

    sheets = math.ceil(120 / PER_SHEET)
    covers = _page_count(pdf, tmp_path) - sheets
    assert covers >= 2
    path = tmp_path / "count.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", str(covers), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for label in labels:
        assert text.count(label.serial) == 1, f"{label.serial} listed once on the cover"
    assert f"page {covers} of {covers}" in text


def test_text_never_leaves_its_label_and_the_quiet_zone_stays_white(tmp_path: Path):
    long = "Ultra-High-Definition Multiparameter Patient Monitor " * 4
    labels = _labels(
        PER_SHEET,
        HOSPITAL,
        model=long,
        serial="W" * 80,
        facility_name=long,
        short_code="WWWW-WWWW",
        matrix=qr_matrix(_payload()),
    )
    dpi = 150
    px = dpi / 72
    page = Image.open(
        _render(build_kit([KitGroup(HOSPITAL, labels)], "Kit"), tmp_path, dpi)[1]
    ).convert("L")

    tick_rows = [int((TOP + r * PITCH_Y) * px) for r in range(8)]  # cut marks live there
    right_edges = [int((LEFT + c * PITCH_X + LABEL_W) * px) for c in range(COLUMNS)]
    gaps = [
        (edge + 2, int((LEFT + c * PITCH_X) * px) - 2)
        for c, edge in enumerate(right_edges[:-1], start=1)
    ]
    gaps.append((right_edges[-1] + 2, page.width - 1))
    for left, right in gaps:
        for above, below in pairwise(tick_rows):
            darkest, _ = page.crop((left, above + 4, right, below - 4)).getextrema()
            assert darkest > 230, f"ink between labels at x {left}..{right}, y {above}..{below}"

    for i in range(PER_SHEET):
        for band in _quiet_zone_bands(i, len(labels[0].matrix), px):
            darkest, _ = page.crop(band).getextrema()
            assert darkest > 230, f"the quiet zone of label {i} is white"


def _quiet_zone_bands(i: int, side: int, px: float) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the four white bands around the symbol of label i, 2 px inside."""
    x0, y0, _, _ = _label_box(i, px)
    left, top = x0 + QR_INSET * px, y0 + (LABEL_H - QR_SIZE) / 2 * px
    size, quiet = QR_SIZE * px, 4 * QR_SIZE / (side + 8) * px
    right, bottom = left + size, top + size
    bands = (
        (left, top, left + quiet, bottom),
        (right - quiet, top, right, bottom),
        (left, top, right, top + quiet),
        (left, bottom - quiet, right, bottom),
    )
    return [(round(a) + 2, round(b) + 2, round(c) - 2, round(d) - 2) for a, b, c, d in bands]


def test_progress_is_reported_every_hundred_labels():
    matrix = qr_matrix(_payload())
    calls = []
    build_kit(
        [
            KitGroup(HOSPITAL, _labels(150, HOSPITAL, matrix=matrix)),
            KitGroup(LAB, _labels(100, LAB, matrix=matrix)),
        ],
        "Kit",
        lambda done, total: calls.append((done, total)),
    )
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_a_kit_without_labels_is_still_a_pdf():
    assert build_kit([], "QR deployment kit").startswith(b"%PDF-")
    assert build_kit([KitGroup(LAB, [])], "QR deployment kit").startswith(b"%PDF-")


@pytest.mark.parametrize("length", [1, 17, 82, 200])
def test_a_stored_matrix_unpacks_to_the_same_symbol(length: int):
    matrix = qr_matrix(("Y1" + base64.b32encode(os.urandom(200)).decode())[:length])
    packed = pack_matrix(matrix)
    assert packed[0] == len(matrix)
    assert len(packed) == 1 + math.ceil(len(matrix) ** 2 / 8)
    assert unpack_matrix(packed) == matrix
    with pytest.raises(ValueError):
        unpack_matrix(packed[:-1])


def test_label_payloads_use_alphanumeric_mode_and_the_png_scans():
    payload = _payload()
    assert len(qr_matrix(payload)) == 33, "82 alphanumeric characters fit version 4 at M"
    assert len(qr_matrix(payload.lower())) > 33, "the same text in byte mode needs more"
    found = decode(Image.open(io.BytesIO(qr_png(payload))))
    assert [symbol.data.decode() for symbol in found] == [payload]


def test_short_codes_are_readable_and_distinct():
    assert short_code(bytes(5)) == "0000-0000"
    assert short_code(b"\xff" * 16) == "ZZZZ-ZZZZ"
    codes = {short_code(os.urandom(16)) for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert set(code.replace("-", "")) <= set(CROCKFORD)
        assert not set(code) & set("ILOU")
