"""An older analyzer speaking ASTM E1394 over E1381 framing to the ASTM listener: frames
checked and acknowledged, results stored, and its host query answered with the orders."""

from __future__ import annotations

import socket
import uuid

from sqlalchemy import text

from services.db import system_session, tenant_session
from services.lab import astm
from services.lab.models import LabOrder
from tests.lab.fixtures import Listener, make_lab, process_all


def test_an_astm_analyzer_sends_results_and_asks_for_orders():
    lab = make_lab()
    sender = f"COBAS-{uuid.uuid4().hex[:6]}"
    channel = lab.channel(sender, protocol="astm")
    with tenant_session(lab.org.actor) as db:
        db.add(
            LabOrder(
                tenant_id=lab.org.tenant.id,
                placer_order_number="S-900",
                specimen_id="S-900",
                test_code="GLU",
                test_name="Glucose",
            )
        )
    results = (
        f"H|\\^&|||{sender}^1.0|||||||P|1|20261201101500\r"
        "P|1||PAT-77||Verma^Ravi||19700101|M\r"
        "O|1|S-100||^^^GLU\\^^^CREA|R\r"
        "R|1|^^^GLU|5.4|mmol/L|3.9 to 6.1|N||F||||20261201101400\r"
        "R|2|^^^CREA|130|umol/L|60-110|H||F||||20261201101400\r"
        "L|1|N\r"
    )
    query = f"H|\\^&|||{sender}^1.0|||||||P|1\rQ|1|^S-900||ALL||||||||O\rL|1|N\r"
    listener = Listener("astm").start()
    try:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:

            def reply() -> bytes:
                return sock.recv(1)

            sock.sendall(astm.ENQ)
            assert reply() == astm.ACK
            frames = astm.build_frames(results)
            corrupted = frames[0][:-4] + b"00\r\n"
            sock.sendall(corrupted)
            assert reply() == astm.NAK  # a bad checksum is refused; the analyzer repeats
            for frame in frames:
                sock.sendall(frame)
                assert reply() == astm.ACK
            sock.sendall(astm.EOT)

            sock.sendall(astm.ENQ)
            assert reply() == astm.ACK
            for frame in astm.build_frames(query):
                sock.sendall(frame)
                assert reply() == astm.ACK
            sock.sendall(astm.EOT)
            assert reply() == astm.ENQ  # the host bids to answer
            sock.sendall(astm.ACK)
            answer = b""
            while astm.EOT not in answer:
                chunk = sock.recv(4096)
                answer += chunk
                if chunk.endswith(b"\n"):
                    sock.sendall(astm.ACK)
    finally:
        listener.stop()
    process_all()

    assert b"O|1|S-900||^^^GLU|R" in answer and b"L|1|N" in answer
    with system_session() as db:
        stored = db.execute(
            text(
                "SELECT r.analyzer_code, r.value_numeric, r.units, r.reference_low, r.abnormal_flag, "
                "p.identifier, m.channel_id FROM lab_result r JOIN lab_message m ON m.id = r.message_id "
                "JOIN lab_patient p ON p.id = r.patient_id WHERE m.sending_application = :s "
                "ORDER BY r.sequence"
            ),
            {"s": sender},
        ).all()
        order = db.execute(
            text("SELECT status FROM lab_order WHERE tenant_id = :t AND specimen_id = 'S-900'"),
            {"t": lab.org.tenant.id},
        ).scalar()
    assert [tuple(r[:6]) for r in stored] == [
        ("GLU", 5.4, "mmol/L", 3.9, "N", "PAT-77"),
        ("CREA", 130.0, "umol/L", 60.0, "H", "PAT-77"),
    ]
    assert str(stored[0][6]) == channel["id"] and order == "sent"
