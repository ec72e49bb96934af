"""Working a job to its end from the phone: arrival proven at the device, checklist
readings (out of range flagged), parts consumed from the reservation with the rest
released, the customer's sign-off, and a service report on the ticket."""

from __future__ import annotations

import base64
import io
import subprocess
import tempfile

import pytest
from PIL import Image
from sqlalchemy import text

from services.db import system_session
from services.qr.codes import short_code
from tests.field.crew import batch, event, make_crew
from tests.outbox import relay

SYNC = "/api/v1/sync/events:batch"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def crew():
    return make_crew("CT-BRUSH-CLOSE")


def _png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), "white").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def _stock(crew) -> tuple[int, int]:
    with system_session() as db:
        return tuple(
            db.execute(
                text(
                    "SELECT s.on_hand, s.reserved FROM part_stock s JOIN part p "
                    "ON p.id = s.part_id WHERE p.code = :c"
                ),
                {"c": crew.part_code},
            ).one()
        )


def _send(client, auth, crew, *events):
    answer = client.post(SYNC, json=batch(*events), headers=auth(crew.technician_email, PASSWORD))
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def test_a_reading_out_of_range_is_kept_and_flagged(client, auth, crew):
    ticket = crew.new_job()

    results = _send(
        client,
        auth,
        crew,
        event("checklist.step", ticket, {"stepId": "earth-leakage", "value": 820}),
        event("checklist.step", ticket, {"stepId": "water-hu", "value": 1.5}),
    )

    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[0]["warning"] == "Equipment leakage current: 820 µA is outside at most 500 µA"
    assert "warning" not in results[1]
    with system_session() as db:
        flags = dict(
            db.execute(
                text("SELECT step_id, out_of_range FROM field_step WHERE ticket_id = :t"),
                {"t": ticket},
            ).all()
        )
    assert flags == {"earth-leakage": True, "water-hu": False}


def test_parts_used_leave_stock_and_resolving_releases_the_rest(client, auth, crew):
    ticket = crew.new_job(reserve=3)
    assert _stock(crew) == (5, 3)

    used = _send(
        client, auth, crew, event("part.used", ticket, {"sku": crew.part_code, "quantity": 1}, 1)
    )
    assert used[0]["status"] == "applied", used
    assert _stock(crew) == (4, 2)  # one used: out of stock; two still held for the job

    too_many = _send(
        client, auth, crew, event("part.used", ticket, {"sku": crew.part_code, "quantity": 5}, 2)
    )
    assert too_many[0]["status"] == "conflict" and "Only 2 reserved" in too_many[0]["error"]

    closing = _send(
        client,
        auth,
        crew,
        event("ticket.status", ticket, {"status": "on_site"}, 3),
        event("signoff", ticket, {"signerName": "Dr <b>Meera</b> Rao", "signaturePng": _png()}, 4),
        event("ticket.status", ticket, {"status": "resolved", "resolution": "Brushes replaced"}, 5),
    )
    assert [r["status"] for r in closing] == ["applied"] * 3, closing
    assert _stock(crew) == (4, 0)  # the two unused go back to free stock

    relay()  # the report is drawn once the resolve has committed
    report = client.get(
        f"/api/v1/field/jobs/{ticket}/report", headers=auth(crew.hospital.email, PASSWORD)
    )
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(report.content)
        pdf.flush()
        words = subprocess.run(["pdftotext", pdf.name, "-"], capture_output=True, text=True).stdout
    assert "Dr <b>Meera</b> Rao" in words  # the customer's text, printed as typed
    assert "CT-BRUSH-CLOSE" in words and "Brushes replaced" in words


def test_check_in_proves_the_technician_stands_at_the_device(client, auth, crew):
    ticket = crew.new_job()
    lat, lon = crew.site
    code = short_code(crew.label_id.bytes)

    far = _send(
        client,
        auth,
        crew,
        event(
            "checkin",
            ticket,
            {
                "shortCode": code.lower().replace("-", ""),
                "position": {"lat": lat + 0.2, "lon": lon},
            },
        ),
    )
    wrong = _send(client, auth, crew, event("checkin", ticket, {"shortCode": "ZZZZ-ZZZZ"}))
    near = _send(
        client,
        auth,
        crew,
        event(
            "checkin",
            ticket,
            {"shortCode": code, "position": {"lat": lat + 0.001, "lon": lon, "accuracyM": 12}},
            5,
        ),
    )

    assert far[0]["status"] == "rejected" and "km from" in far[0]["error"]
    assert wrong[0]["status"] == "rejected" and "ZZZZ-ZZZZ" in wrong[0]["error"]
    assert near[0]["status"] == "applied", near
    jobs = client.get("/api/v1/me/jobs", headers=auth(crew.technician_email, PASSWORD)).json()
    job = next(j for j in jobs["jobs"] if j["ticketId"] == str(ticket))
    assert job["status"] == "on_site"
    assert job["checkedIn"]["method"] == "short_code" and job["checkedIn"]["distanceM"] < 200
    overview = client.get(
        "/api/v1/field/overview", headers=auth(crew.partner.email, PASSWORD)
    ).json()
    assert any(a["ticketId"] == str(ticket) for a in overview["arrivals"])
    me = next(t for t in overview["technicians"] if t["name"] == "Ravi")
    assert me["lastSyncAt"] and me["lat"] == pytest.approx(lat + 0.001)


def test_a_parts_request_puts_the_job_on_hold_for_the_dispatcher(client, auth, crew):
    ticket = crew.new_job()

    results = _send(
        client,
        auth,
        crew,
        event("ticket.status", ticket, {"status": "on_site"}, 0),
        event(
            "ticket.status",
            ticket,
            {"status": "waiting_parts", "reason": "Slip ring worn through"},
            1,
        ),
    )

    assert [r["status"] for r in results] == ["applied", "applied"]
    overview = client.get(
        "/api/v1/field/overview", headers=auth(crew.partner.email, PASSWORD)
    ).json()
    request = next(w for w in overview["waitingParts"] if w["ticketId"] == str(ticket))
    assert request["reason"] == "Slip ring worn through"
    jobs = client.get("/api/v1/me/jobs", headers=auth(crew.technician_email, PASSWORD)).json()
    job = next(j for j in jobs["jobs"] if j["ticketId"] == str(ticket))
    assert job["status"] == "waiting_parts" and job["slaDeadline"] is None


def test_a_photo_over_the_limit_is_refused_and_a_small_one_kept(client, auth, crew):
    ticket = crew.new_job()
    big = base64.b64encode(b"\xff" * (8 * 1024 * 1024 + 10)).decode()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "grey").save(out, "JPEG")

    results = _send(
        client,
        auth,
        crew,
        event("photo.added", ticket, {"fileName": "big.jpg", "dataBase64": big}),
        event(
            "photo.added",
            ticket,
            {
                "fileName": "panel.jpg",
                "stepId": "phantom-photo",
                "dataBase64": base64.b64encode(out.getvalue()).decode(),
            },
        ),
    )

    assert results[0]["status"] == "rejected" and "8 MB" in results[0]["error"]
    assert results[1]["status"] == "applied"


def test_a_scanned_label_checks_in_and_another_devices_label_is_refused(client, auth, crew):
    ticket = crew.new_job()
    other = make_crew("CT-BRUSH-OTHER")
    with system_session() as db:
        payloads = dict(
            db.execute(
                text("SELECT id, payload FROM qr_code WHERE id = ANY(:ids)"),
                {"ids": [crew.label_id, other.label_id]},
            ).all()
        )
    lat, lon = crew.site
    here = {"lat": lat, "lon": lon + 0.002}

    wrong = _send(
        client,
        auth,
        crew,
        event("checkin", ticket, {"qrPayload": payloads[other.label_id], "position": here}),
    )
    right = _send(
        client,
        auth,
        crew,
        event("checkin", ticket, {"qrPayload": payloads[crew.label_id], "position": here}, 1),
    )

    assert wrong[0]["status"] == "rejected" and "another device" in wrong[0]["error"]
    assert right[0]["status"] == "applied", right
    jobs = client.get("/api/v1/me/jobs", headers=auth(crew.technician_email, PASSWORD)).json()
    job = next(j for j in jobs["jobs"] if j["ticketId"] == str(ticket))
    assert job["checkedIn"]["method"] == "qr" and job["status"] == "on_site"
