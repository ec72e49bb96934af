"""What the lab sees of a message once processed: results with units, ranges and flags,
orders for the analyzer, patients kept up to date, and a live notice when results land."""

from __future__ import annotations

import json
import socket
import threading
import uuid

import psycopg
import pytest
from sqlalchemy import text

from services.db import system_session, tenant_session
from services.lab import hl7msg
from services.lab.channels import ChannelPatch, update_channel
from services.lab.layout import layout
from services.lab.messages import get_message, reprocess, search_messages
from services.lab.mllp import FrameReader, frame
from services.lab.push import push_new_orders
from services.lab.retention import apply_retention
from services.lab.store import libpq_url
from tests.lab.fixtures import make_lab, process_all
from tests.lab.messages import msa, oru, send
from tests.lab.samples import hl7apy_adt_a01, hl7apy_oml_o33


@pytest.fixture(scope="module")
def lab():
    return make_lab()


def rows(sql: str, **params) -> list:
    with system_session() as db:
        return [tuple(r) for r in db.execute(text(sql), params)]


def test_a_result_message_becomes_result_rows_and_a_live_notice(lab):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    with psycopg.connect(libpq_url(), autocommit=True) as listen:
        listen.execute("LISTEN lab_result")
        ack = send(oru("P-1", sender=sender, hgb="6.1", patient="MRN-77"))[0]
        process_all()
        notices = [json.loads(n.payload) for n in listen.notifies(timeout=2, stop_after=1)]

    assert msa(ack)[0] == "AA"
    results = rows(
        "SELECT r.analyzer_code, r.loinc, r.value_numeric, r.units, r.reference_low, "
        "r.reference_high, r.abnormal_flag, r.result_status, p.identifier, o.placer_order_number "
        "FROM lab_result r JOIN lab_message m ON m.id = r.message_id "
        "LEFT JOIN lab_patient p ON p.id = r.patient_id LEFT JOIN lab_order o ON o.id = r.order_id "
        "WHERE m.control_id = 'P-1' AND m.sending_application = :s ORDER BY r.sequence",
        s=sender,
    )
    assert len(results) == 10
    by_code = {r[0]: r for r in results}
    assert by_code["HGB"][1:6] == ("718-7", 6.1, "g/dL", 13.0, 17.0)
    assert by_code["PLT"][6:8] == ("L", "F")
    assert by_code["WBC"][8:] == ("MRN-77", "ORDP-1")
    message = rows(
        "SELECT id, tenant_id, result_count, state FROM lab_message "
        "WHERE control_id = 'P-1' AND sending_application = :s",
        s=sender,
    )[0]
    assert message[2:] == (10, "processed")
    assert {"tenantId": str(message[1]), "messageId": str(message[0]), "resultCount": 10} in notices


def test_processing_a_message_again_replaces_its_results(lab):
    sender = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    send(oru("P-2", sender=sender))
    process_all()
    with tenant_session(lab.org.actor) as db:
        message_id = search_messages(db, control_id="P-2")["messages"][0]["id"]
        assert reprocess(db, lab.org.actor, [uuid.UUID(message_id)])["queued"] == 1
    process_all()

    assert rows("SELECT count(*) FROM lab_result WHERE message_id = :m", m=message_id) == [(10,)]
    with tenant_session(lab.org.actor) as db:
        shown = get_message(db, uuid.UUID(message_id))
    assert (shown["state"], shown["resultCount"], shown["attempts"]) == ("processed", 10, 2)


def test_orders_reach_the_analyzer_and_patients_stay_current(lab):
    lis = f"LIS-{uuid.uuid4().hex[:6]}"
    analyzer = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(lis)
    lab.channel(analyzer)
    orm = (
        f"MSH|^~\\&|{lis}||{analyzer}||20261201090000||ORM^O01|ORM-1|P|2.3\r"
        "PID|1||MRN-500^^^HOSP^MR||Rao^Kiran||19900101|M\r"
        "ORC|NW|ORD-500\r"
        "OBR|1|ORD-500|SPM-500|58410-2^CBC panel^LN|S||20261201085500\r"
    )
    adt = (
        f"MSH|^~\\&|{lis}||YANTRA||20261201091000||ADT^A08|ADT-1|P|2.4\r"
        "EVN|A08|20261201091000\r"
        "PID|1||MRN-500^^^HOSP^MR||Rao^Kiran Kumar||19900102|M\r"
    )
    acks = send(orm.encode(), adt.encode())
    process_all()

    assert [msa(a)[0] for a in acks] == ["AA", "AA"]
    assert rows(
        "SELECT o.specimen_id, o.test_code, o.priority, o.status, c.sending_application "
        "FROM lab_order o JOIN lab_channel c ON c.id = o.channel_id "
        "WHERE o.placer_order_number = 'ORD-500'"
    ) == [("SPM-500", "58410-2", "S", "new", analyzer)]
    assert rows(
        "SELECT given_name, birth_date FROM lab_patient WHERE identifier = 'MRN-500' "
        "AND tenant_id = :t",
        t=lab.org.tenant.id,
    ) == [("Kiran Kumar", "19900102")]


def test_public_hl7apy_samples_go_through_the_parser(lab):
    lab.channel("SENDING APP", facility="SENDING FAC")
    adt, oml = hl7apy_adt_a01(), hl7apy_oml_o33()

    header = hl7msg.read_header(adt)
    assert (header.sending_application, header.control_id, header.message_type) == (
        "SENDING APP",
        "0123456789",
        "ADT^A01",
    )
    acks = send(adt.encode(), oml.encode())
    process_all()

    assert msa(acks[0])[:2] == ["AA", "0123456789"]
    # The reason travels HL7-escaped (\S\ is the component separator).
    assert msa(acks[1])[0] == "AR" and "OML\\S\\O33 is not supported" in msa(acks[1])[2]
    assert rows(
        "SELECT family_name, given_name, sex FROM lab_patient WHERE identifier = '123-456-789'"
    ) == [("SURNAME", "NAME", "M")]
    pid = next(s for s in layout(adt, "hl7", "2.5") if s["name"] == "PID")
    named = {f["position"]: f["name"] for f in pid["fields"]}
    assert named["PID-3"] == "Patient identifier list" and named["PID-5"] == "Patient name"


def test_orders_for_a_push_analyzer_are_sent_to_it_over_mllp(lab):
    received: list[str] = []
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def analyzer() -> None:  # takes one order and answers AA
        conn, _ = server.accept()
        with conn:
            reader = FrameReader()
            while not received:
                received.extend(
                    e.decode() for e in reader.feed(conn.recv(65536)) if isinstance(e, bytes)
                )
            control = received[0].split("\r")[0].split("|")[9]
            conn.sendall(
                frame(f"MSH|^~\\&|XN||YANTRA||x||ACK|1|P|2.5.1\rMSA|AA|{control}\r".encode())
            )

    thread = threading.Thread(target=analyzer, daemon=True)
    thread.start()
    lis, analyzer_app = f"LIS-{uuid.uuid4().hex[:6]}", f"XP-{uuid.uuid4().hex[:6]}"
    lab.channel(lis)
    channel = lab.channel(analyzer_app)
    with tenant_session(lab.org.actor) as db:
        update_channel(
            db,
            lab.org.actor,
            uuid.UUID(channel["id"]),
            ChannelPatch(orderMode="push", pushHost="127.0.0.1", pushPort=port),
        )
    send(
        (
            f"MSH|^~\\&|{lis}||{analyzer_app}||20261201090000||ORM^O01|ORM-P|P|2.5.1\r"
            "PID|1||MRN-900||Das^Mitali\rORC|NW|ORD-900\r"
            "OBR|1|ORD-900|SPM-900|58410-2^CBC panel^LN|R\r"
        ).encode()
    )
    process_all()

    assert push_new_orders() == (1, 0)
    thread.join(5)
    server.close()
    assert "OBR|1|ORD-900|SPM-900|58410-2^CBC panel|R" in received[0]
    assert "PID|1||MRN-900||Das^Mitali" in received[0]
    assert rows("SELECT status FROM lab_order WHERE placer_order_number = 'ORD-900'") == [("sent",)]


def test_retention_empties_old_raw_messages_and_drops_old_failures(lab):
    sender = f"RT-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    send(
        oru("OLD-OK", sender=sender),
        oru("OLD-BAD", sender=sender, version="2.9"),
        oru("NEW", sender=sender),
    )
    process_all()
    with system_session() as db:
        db.execute(
            text(
                "UPDATE lab_message SET received_at = now() - interval '401 days' "
                "WHERE sending_application = :s AND control_id LIKE 'OLD-%'"
            ),
            {"s": sender},
        )

    outcome = apply_retention(400)

    kept = dict(
        rows(
            "SELECT control_id, raw <> '' FROM lab_message WHERE sending_application = :s", s=sender
        )
    )
    assert kept == {"OLD-OK": False, "NEW": True}
    assert outcome["emptied"] >= 1 and outcome["deleted"] >= 1
    assert rows(
        "SELECT count(*) FROM lab_result r JOIN lab_message m ON m.id = r.message_id "
        "WHERE m.control_id = 'OLD-OK' AND m.sending_application = :s",
        s=sender,
    ) == [(10,)]
