"""A lab's patient hears on WhatsApp, in their own language, that a report is ready: once,
when every result of the order is verified, and only with a number and their consent."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
from sqlalchemy import text

from services.db import system_session, tenant_session
from services.errors import Invalid
from services.lab import verification
from services.lab.consent import record_consent, require_consent, revoke_consent
from services.lab.messages import reprocess
from tests.lab.fixtures import make_lab, process_all
from tests.lab.messages import send
from tests.outbox import relay
from tests.workers import celery_running

NORMAL = [
    ("WBC", "6.7", "10*3/uL", "4.0-11.0", ""),
    ("HGB", "14.1", "g/dL", "13.0-17.0", ""),
    ("PLT", "250", "10*3/uL", "150-450", ""),
]


@pytest.fixture(scope="module")
def lab():
    return make_lab()


def oru(sender: str, patient: str, phone="", language="", results=NORMAL, order: str = "") -> bytes:
    """An ORU^R01 as a hospital LIS writes it, the patient's mobile in PID-13 and their
    language in PID-15; `order` names the placer order (a new one by default)."""
    control = uuid.uuid4().hex[:10]
    order = order or f"ORD{control}"
    lines = [
        f"MSH|^~\\&|{sender}||YANTRA|LAB|20261201101500||ORU^R01|{control}|P|2.5.1",
        f"PID|1||{patient}^^^HOSP^MR||Iyer^Lakshmi||19750301|F|||||{phone}||{language}",
        f"OBR|1|{order}|SPM{control}|58410-2^CBC panel^LN|||20261201101000",
    ]
    for n, (code, value, units, ref, flag) in enumerate(results, start=1):
        lines.append(f"OBX|{n}|NM|{code}^{code}^99XN||{value}|{units}|{ref}|{flag}|||F")
    return ("\r".join(lines) + "\r").encode()


def consent(lab, patient: str) -> None:
    with tenant_session(lab.org.actor) as db:
        record_consent(db, lab.org.actor, patient, "report_ready", "patient's WhatsApp", "v1")


def arrive(lab, message: bytes) -> None:
    """The message is stored, processed, its results reviewed and the outbox relayed, as
    the listener, the processor, the `lab.review` beat task and the relay do."""
    send(message)
    process_all()
    with system_session() as db:
        while verification.review_new_results(db):
            pass
    relay()


def told(patient_phone: str) -> list:
    """The patient's WhatsApp notices as the message log (`/messages`) lists them."""
    with system_session() as db:
        return db.execute(
            text(
                "SELECT m.kind, m.language, m.template, m.body, coalesce(w.status, m.status) "
                "FROM notification_message m "
                "LEFT JOIN whatsapp_message w ON w.id = m.whatsapp_message_id "
                "WHERE m.recipient = :p AND m.channel = 'whatsapp' ORDER BY m.created_at"
            ),
            {"p": patient_phone},
        ).all()


def new_mobile() -> tuple[str, str]:
    """A ten-digit Indian mobile as a registration desk types it, and its E.164 form."""
    digits = "9" + str(uuid.uuid4().int)[:9]
    return digits, "+91" + digits


def test_results_that_verify_by_themselves_tell_the_patient_once_in_hindi(lab):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    digits, phone = new_mobile()
    consent(lab, "MRN-H1")
    arrive(lab, oru(sender, "MRN-H1", f"0{digits}^PRN^CP", "HIN^Hindi^ISO639"))

    ((kind, language, template, body, status),) = told(phone)
    assert (kind, language, template, status) == ("result_ready", "hi", "test_result_ready", "sent")
    assert "रिपोर्ट तैयार है" in body and "Lakshmi Iyer" in body and "CBC panel" in body
    with system_session() as db:
        sent = (
            db.execute(
                text("SELECT status FROM whatsapp_message WHERE phone = :p AND direction = 'out'"),
                {"p": phone},
            )
            .scalars()
            .all()
        )
    assert sent == ["sent"]  # with no WHATSAPP_API_URL the log records it as sent

    with tenant_session(lab.org.actor) as db:
        message_id = db.execute(
            text("SELECT id FROM lab_message WHERE sending_application = :s ORDER BY received_at"),
            {"s": sender},
        ).scalar()
        order = db.execute(
            text("SELECT placer_order_number FROM lab_order WHERE source_message_id = :m"),
            {"m": message_id},
        ).scalar()
        assert reprocess(db, lab.org.actor, [message_id])["queued"] == 1
    process_all()
    relay()
    assert len(told(phone)) == 1
    # the same order's results sent again (a correction) verify again, and tell nobody
    arrive(lab, oru(sender, "MRN-H1", f"+91 {digits}", "HIN", order=order))
    assert len(told(phone)) == 1


def test_a_held_result_tells_the_patient_only_when_a_person_releases_it(lab):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    digits, phone = new_mobile()
    consent(lab, "MRN-T1")
    low = [*NORMAL[:2], ("PLT", "95", "10*3/uL", "150-450", "L")]
    arrive(lab, oru(sender, "MRN-T1", f"^PRN^CP^^91^{digits[:5]}^{digits[5:]}", "TAM", low))
    assert told(phone) == []  # platelets wait in the verification queue

    with tenant_session(lab.org.actor) as db:
        held = (
            db.execute(
                text(
                    "SELECT r.id FROM lab_result r JOIN lab_review v ON v.result_id = r.id "
                    "JOIN lab_patient p ON p.id = r.patient_id "
                    "WHERE p.identifier = 'MRN-T1' AND v.status = 'pending'"
                )
            )
            .scalars()
            .all()
        )
        assert verification.release(db, lab.org.actor, held) == 1
    relay()
    ((kind, language, _, body, _),) = told(phone)
    assert (kind, language) == ("result_ready", "ta") and "அறிக்கை" in body

    with tenant_session(lab.org.actor) as db:
        assert verification.release(db, lab.org.actor, held) == 0
    relay()
    assert len(told(phone)) == 1


def test_no_number_or_no_consent_tells_nobody_and_verification_goes_on(lab):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    digits, phone = new_mobile()
    consent(lab, "MRN-N1")
    arrive(lab, oru(sender, "MRN-N1", "", "MAR"))  # consent, but no number
    arrive(lab, oru(sender, "MRN-N2", digits, "MAR"))  # a number, but no consent
    assert told(phone) == []
    with system_session() as db:
        reviews = db.execute(
            text(
                "SELECT p.identifier, v.status FROM lab_review v JOIN lab_result r "
                "ON r.id = v.result_id JOIN lab_patient p ON p.id = r.patient_id "
                "WHERE p.identifier IN ('MRN-N1', 'MRN-N2') AND p.tenant_id = :t"
            ),
            {"t": lab.org.tenant.id},
        ).all()
        stamped = db.execute(
            text(
                "SELECT count(*) FROM lab_order o JOIN lab_patient p ON p.id = o.patient_id "
                "WHERE p.identifier IN ('MRN-N1', 'MRN-N2') AND o.ready_notified_at IS NOT NULL"
            )
        ).scalar()
    assert len(reviews) == 6 and {s for _, s in reviews} == {"auto"} and stamped == 0


def test_a_revoked_consent_stops_the_notices(lab):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    digits, phone = new_mobile()
    with tenant_session(lab.org.actor) as db:
        given = record_consent(db, lab.org.actor, "MRN-V1", "report_ready", "WhatsApp", "v1")
    arrive(lab, oru(sender, "MRN-V1", digits, "ENG"))
    assert len(told(phone)) == 1
    with tenant_session(lab.org.actor) as db:
        revoke_consent(db, lab.org.actor, uuid.UUID(given["id"]), "asked to stop")
    arrive(lab, oru(sender, "MRN-V1", digits, "ENG"))  # the next report
    assert len(told(phone)) == 1


def test_the_patients_contact_is_kept_from_the_latest_message_and_never_logged(lab, caplog):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    digits, phone = new_mobile()
    caplog.set_level(logging.DEBUG)
    arrive(lab, oru(sender, "MRN-C1", f"(022) 2345 6789~{digits[:5]}-{digits[5:]}^PRN^CP", "MAR"))
    arrive(lab, oru(sender, "MRN-C1"))  # a later message naming no contact keeps it
    with tenant_session(lab.org.actor) as db:
        contact = db.execute(
            text("SELECT phone, language FROM lab_patient WHERE identifier = 'MRN-C1'")
        ).one()
    assert tuple(contact) == (phone, "mr")
    moved, moved_phone = new_mobile()
    adt = (
        f"MSH|^~\\&|{sender}||YANTRA|LAB|20261201111500||ADT^A08|{uuid.uuid4().hex[:10]}|P|2.5\r"
        "EVN|A08|20261201111500\r"
        f"PID|1||MRN-C1^^^HOSP^MR||Iyer^Lakshmi||19750301|F|||||^PRN^CP^^91^{moved}||TAM\r"
    )
    arrive(lab, adt.encode())  # the registration desk updates the patient's details
    with tenant_session(lab.org.actor) as db:
        contact = db.execute(
            text("SELECT phone, language FROM lab_patient WHERE identifier = 'MRN-C1'")
        ).one()
    assert tuple(contact) == (moved_phone, "ta")
    assert not {digits, phone, moved, moved_phone} & set(caplog.text.split())
    assert digits not in caplog.text and moved not in caplog.text


def test_a_consent_to_be_told_lets_no_report_leave_the_lab(lab):
    consent(lab, "MRN-F1")
    with tenant_session(lab.org.actor) as db, pytest.raises(Invalid, match="no result"):
        require_consent(db, "MRN-F1", "report_ready", "patient's WhatsApp")


def test_the_workers_tell_the_patient_with_nothing_else_run(lab, tmp_path):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    digits, phone = new_mobile()
    consent(lab, "MRN-W1")
    send(oru(sender, "MRN-W1", f"+91-{digits}^PRN^CP", "ENG^English"))
    process_all()  # the lab processor is a process of its own, outside Celery
    with celery_running(tmp_path):  # the beat's lab.review and outbox relay do the rest
        deadline = time.monotonic() + 120
        while not told(phone):
            assert time.monotonic() < deadline, "the patient was not told"
            time.sleep(0.5)
    ((kind, language, _, body, status),) = told(phone)
    assert (kind, language, status) == ("result_ready", "en", "sent")
    assert body.startswith("Dear Lakshmi Iyer, your CBC panel report from Test Pathology Lab")
