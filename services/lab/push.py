"""Orders pushed to analyzers: on a channel whose `order_mode` is `push`, each new order is
sent as an `ORM^O01` over MLLP to the analyzer's `push_host:push_port`, and marked `sent`
once the analyzer answers `AA`. An order not accepted stays `new` and is tried again."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

from sqlalchemy import text

from services.db import system_session
from services.lab.hl7msg import escape
from services.lab.mllp import FrameReader, frame

log = logging.getLogger("yantra.lab.push")
TIMEOUT = 3.0

WAITING = text(
    """
    SELECT o.id, o.placer_order_number, o.specimen_id, o.test_code, o.test_name, o.priority,
           c.push_host, c.push_port, c.sending_application, c.sending_facility,
           coalesce(p.identifier, '') AS patient, coalesce(p.family_name, '') AS family,
           coalesce(p.given_name, '') AS given, coalesce(p.birth_date, '') AS birth,
           coalesce(p.sex, '') AS sex
      FROM lab_order o JOIN lab_channel c ON c.id = o.channel_id
      LEFT JOIN lab_patient p ON p.id = o.patient_id
     WHERE o.status = 'new' AND c.order_mode = 'push' AND c.is_active
     ORDER BY o.created_at LIMIT :limit FOR UPDATE OF o SKIP LOCKED
    """
)


def orm_message(order) -> bytes:
    """The `ORM^O01` (HL7 2.5.1) carrying one order to its analyzer."""
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    e = escape
    lines = [
        f"MSH|^~\\&|YANTRA|LAB|{e(order.sending_application)}|{e(order.sending_facility)}|"
        f"{now}||ORM^O01|ORD{str(order.id)[:18]}|P|2.5.1",
        f"PID|1||{e(order.patient)}||{e(order.family)}^{e(order.given)}||{e(order.birth)}|"
        f"{e(order.sex)}",
        f"ORC|NW|{e(order.placer_order_number)}",
        f"OBR|1|{e(order.placer_order_number)}|{e(order.specimen_id)}|"
        f"{e(order.test_code)}^{e(order.test_name)}|{e(order.priority)}",
    ]
    return ("\r".join(lines) + "\r").encode()


def _send(host: str, port: int, message: bytes) -> str:
    """The analyzer's `MSA-1` for the message ('' when it gave no readable answer)."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.sendall(frame(message))
        reader = FrameReader()
        while True:
            data = sock.recv(65536)
            if not data:
                return ""
            for event in reader.feed(data):
                if isinstance(event, bytes):
                    for segment in event.decode("latin-1").split("\r"):
                        if segment.startswith("MSA|"):
                            return (segment.split("|") + [""])[1]
                    return ""


def push_new_orders(limit: int = 20) -> tuple[int, int]:
    """Sends up to `limit` new orders of push channels; returns how many were accepted and
    how many could not be delivered (an unreachable analyzer is not tried again this
    round)."""
    accepted = failed = 0
    unreachable: set[tuple[str, int]] = set()
    with system_session() as db:
        for order in db.execute(WAITING, {"limit": limit}).all():
            address = (order.push_host, order.push_port)
            if address in unreachable:
                failed += 1
                continue
            try:
                code = _send(order.push_host, order.push_port, orm_message(order))
            except OSError as error:
                log.warning("order %s not pushed: %s", order.id, type(error).__name__)
                unreachable.add(address)
                failed += 1
                continue
            if code != "AA":
                log.warning("order %s refused by the analyzer (%s)", order.id, code or "no ACK")
                failed += 1
                continue
            db.execute(
                text("UPDATE lab_order SET status = 'sent', sent_at = now() WHERE id = :id"),
                {"id": order.id},
            )
            accepted += 1
    return accepted, failed
