"""Labels any phone can read: the symbol holds HTTPS://<HOST>/Q/<PAYLOAD> in alphanumeric
mode and still reads from a 25 mm print; labels printed before links keep working; the
link opens a public page where anyone reports a fault once, and repetition is throttled."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode
from sqlalchemy import text

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.qr.codes import read_label
from services.qr.kit import (
    COLUMNS,
    LABEL_H,
    LABEL_W,
    LEFT,
    PITCH_X,
    PITCH_Y,
    TOP,
    FacilityInfo,
    KitGroup,
    Label,
    build_kit,
    short_code,
)
from services.qr.links import label_matrix, label_url
from services.qr.symbols import _ALPHANUMERIC
from tests.factories import PASSWORD, make_org, make_served_device

DPI = 300
PX = DPI / 72
SITE = FacilityInfo("Apollo Spectra, Karol Bagh", "Pusa Road", "110005", "New Delhi", "Delhi")


@pytest.fixture(scope="module")
def served():
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    device = make_served_device(hospital, partner, "MVI-CT128")
    with system_session() as db:
        payload = db.execute(
            text("SELECT payload FROM qr_code WHERE id = :q"), {"q": device.label_id}
        ).scalar_one()
    return hospital, partner, device, payload


def _label_box(i: int) -> tuple[int, int, int, int]:
    x, y = LEFT + (i % COLUMNS) * PITCH_X, TOP + (i // COLUMNS) * PITCH_Y
    return int(x * PX), int(y * PX), int((x + LABEL_W) * PX), int((y + LABEL_H) * PX)


def test_the_label_link_reads_back_from_a_25_mm_print(tmp_path: Path, served):
    hospital, _partner, device, payload = served
    link = label_url(payload)
    assert link.startswith("HTTPS://LOCALHOST:8000/Q/Y1") and _ALPHANUMERIC.fullmatch(link)
    assert len(label_matrix(payload)) == 37, "106 alphanumeric characters fit version 5 at M"
    label = Label(
        payload=link,
        serial="CT-0001",
        model="Medvision CT 128",
        facility_name=SITE.name,
        short_code=short_code(device.label_id.bytes),
        matrix=label_matrix(payload),
    )
    pdf = tmp_path / "kit.pdf"
    pdf.write_bytes(build_kit([KitGroup(SITE, [label])], "QR labels", cover=False))
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(tmp_path / "p")], check=True)
    sheet = Image.open(next(tmp_path.glob("p-*.png"))).convert("L")
    found = decode(sheet.crop(_label_box(0)), symbols=[ZBarSymbol.QRCODE])
    assert [s.data.decode() for s in found] == [link]
    width_mm = found[0].rect.width * 25.4 / DPI
    assert width_mm == pytest.approx(25 * 37 / 45, rel=0.05), "the symbol printed 25 mm wide"

    with tenant_session(hospital.actor) as db:
        for scanned in (link, link.lower(), payload):
            assert read_label(db, scanned).device_id == device.device_id


def test_old_and_new_labels_scan_through_the_api(client, auth, served):
    _hospital, partner, device, payload = served
    headers = auth(partner.email, PASSWORD)
    location = {"latitude": 28.56, "longitude": 77.2}
    for scanned in (payload, label_url(payload), label_url(payload).lower()):
        body = {"qrPayload": scanned, "scanLocation": location}
        response = client.post("/api/v1/qr/scan", json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["deviceId"] == str(device.device_id)


def _tickets(device_id) -> list:
    with system_session() as db:
        return db.execute(
            text("SELECT number, source, description FROM ticket WHERE equipment_id = :d"),
            {"d": device_id},
        ).all()


def test_the_public_page_takes_one_report_and_throttles_repetition(client, served):
    _hospital, _partner, device, payload = served
    page = client.get(f"/q/{payload.lower()}")  # as a phone camera opens the link: no sign-in
    assert (
        page.status_code == 200
        and "Zenith 128-slice CT Scanner" in page.text
        and "Report a fault" in page.text
    )
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    assert "<script" not in page.text

    form = {
        "name": "Sister <b>Rekha</b>",
        "phone": "98100 12345",
        "description": "Gantry will not rotate; error E-204",
        "state": "down",
    }
    sent = client.post(f"/Q/{payload}", data=form)
    assert sent.status_code == 201, sent.text
    number = int(re.search(r"ticket #(\d+)", sent.text).group(1))
    [ticket] = _tickets(device.device_id)
    assert (ticket.number, ticket.source) == (number, "qr")
    assert "Sister <b>Rekha</b>" in ticket.description and "+919810012345" in ticket.description
    assert "NOT confirmed" in ticket.description

    again = client.get(f"/Q/{payload}")
    assert f"#{number}" in again.text and "Rekha" not in again.text, "no personal data shown"

    assert client.post(f"/Q/{payload}", data=form).status_code == 201
    assert client.post(f"/Q/{payload}", data=form).status_code == 201
    throttled = client.post(f"/Q/{payload}", data=form)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert len(_tickets(device.device_id)) == 3, "the fourth report in the hour opens nothing"


def test_bad_reports_and_forged_labels_are_refused_clearly(client, served):
    _hospital, _partner, _device, payload = served
    bad = {"name": "R", "phone": "12", "description": "broken", "state": "down"}
    response = client.post(f"/Q/{payload}", data=bad)
    assert response.status_code == 400 and "name" in response.text
    forged = payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB")
    assert client.get(f"/Q/{forged}").status_code == 404
    assert client.get("/Q/%3Cscript%3E").status_code == 404


def test_with_whatsapp_configured_the_report_waits_for_the_code(client, served, monkeypatch):
    from services.settings import get_settings

    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device = make_served_device(hospital, served[1], "MVI-CT128")
    with system_session() as db:
        payload = db.execute(
            text("SELECT payload FROM qr_code WHERE id = :q"), {"q": device.label_id}
        ).scalar_one()
    monkeypatch.setattr(get_settings(), "whatsapp_api_url", "http://127.0.0.1:9/v19.0")
    form = {"name": "Dr Anand", "phone": "+91 99100 55555", "description": "No image on console"}
    waiting = client.post(f"/Q/{payload}", data=form)
    assert waiting.status_code == 202 and "+91XXXXXX5555" in waiting.text
    report = re.search(r'name="report" value="([0-9a-f-]+)"', waiting.text).group(1)
    assert _tickets(device.device_id) == [], "no ticket before the phone is confirmed"
    with system_session() as db:
        sent = db.execute(
            text(
                "SELECT body FROM whatsapp_message WHERE phone = '+919910055555' AND direction "
                "= 'out' ORDER BY created_at DESC LIMIT 1"
            )  # fmt: skip
        ).scalar_one()
    code = re.search(r"\b(\d{6})\b", sent).group(1)
    wrong = "000000" if code != "000000" else "111111"
    retry = client.post(f"/Q/{payload}/confirm", data={"report": report, "code": wrong})
    assert retry.status_code == 400 and "4 tries left" in retry.text
    done = client.post(f"/Q/{payload}/confirm", data={"report": report, "code": code})
    assert done.status_code == 201, done.text
    [ticket] = _tickets(device.device_id)
    assert ticket.source == "qr" and "confirmed by a one-time code" in ticket.description
    again = client.post(f"/Q/{payload}/confirm", data={"report": report, "code": code})
    assert again.status_code == 409 and len(_tickets(device.device_id)) == 1
