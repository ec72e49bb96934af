"""What a label says, read back from the PDF as a technician would: the whole serial and
the whole model, never cut; and printing from label n of a part-used sheet puts the first
label there, so one label spends one label."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from services.qr.codes import short_code
from services.qr.kit import PER_SHEET, KitGroup, Label, build_kit
from services.qr.symbols import qr_matrix
from tests.qr.test_kit import HOSPITAL, _label_box, _page_count, _payload, _render

SERIALS = [
    "MVI-AW374L-26-000123456",
    "MVI-AW374L-26-000123457",
    "SIEMENS/MAGNETOM-ALTEA/1.5T/2026/0000098765",
    "GE" + "7" * 40,
]
MODELS = [
    "Medvision Aquila Wide 3T MRI System",
    "Vitalis 12 Multiparameter Patient Monitor with EtCO2 and IBP",
    "Magnetom Altea 1.5 T 70 cm Open Bore MRI",
    "Revolution Apex 256-slice CT",
]


def _labels() -> list[Label]:
    return [
        Label(
            payload=_payload(),
            serial=serial,
            model=model,
            facility_name=HOSPITAL.name,
            short_code=short_code(os.urandom(5)),
        )
        for serial, model in zip(SERIALS, MODELS, strict=True)
    ]


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _squeezed(text: str) -> str:
    """The text with line breaks (and the spaces at them) taken out: a serial broken over
    two lines reads as one again."""
    return "".join(text.split())


def test_long_serials_and_models_are_printed_whole(tmp_path: Path):
    labels = _labels()
    text = _text(build_kit([KitGroup(HOSPITAL, labels)], "QR labels", cover=False), tmp_path)
    for label in labels:
        assert _squeezed(f"S/N {label.serial}") in _squeezed(text), label.serial
        assert _squeezed(label.model) in _squeezed(text), label.model
        assert label.short_code in text
    for line in text.splitlines():
        if "…" in line:
            assert line.strip().startswith("Sanjeevani"), f"only the facility may be cut: {line}"


def test_the_cover_lists_every_serial_whole(tmp_path: Path):
    labels = _labels()
    cover = _text(build_kit([KitGroup(HOSPITAL, labels)], "QR deployment kit"), tmp_path)
    for label in labels:
        assert label.serial in cover


def test_printing_from_label_n_fills_the_sheet_from_there(tmp_path: Path):
    labels = [
        Label(
            payload=_payload(),
            serial=f"MVI-AW374L-26-{n:09d}",
            model="Medvision Aquila Wide 3T MRI System",
            facility_name=HOSPITAL.name,
            short_code=short_code(os.urandom(5)),
        )
        for n in range(3)
    ]
    for label in labels:
        label.matrix = qr_matrix(label.payload)
    pages = _render(
        build_kit([KitGroup(HOSPITAL, labels)], "QR labels", start_at=20, cover=False), tmp_path
    )

    assert len(pages) == 2, "two labels end the part-used sheet, the third starts a new one"
    first = Image.open(pages[0]).convert("L")
    found = [
        decode(first.crop(_label_box(i)), symbols=[ZBarSymbol.QRCODE]) for i in range(PER_SHEET)
    ]
    assert [bool(f) for f in found] == [False] * 19 + [True, True]
    assert [f[0].data.decode() for f in found[19:]] == [labels[0].payload, labels[1].payload]
    second = Image.open(pages[1]).convert("L")
    top_left = decode(second.crop(_label_box(0)), symbols=[ZBarSymbol.QRCODE])
    assert [s.data.decode() for s in top_left] == [labels[2].payload]


def test_one_label_without_cover_is_one_page(tmp_path: Path):
    pdf = build_kit([KitGroup(HOSPITAL, _labels()[:1])], "QR labels", start_at=7, cover=False)
    assert _page_count(pdf, tmp_path) == 1
    with pytest.raises(ValueError, match="1 to 21"):
        build_kit([KitGroup(HOSPITAL, _labels()[:1])], "QR labels", start_at=22)
