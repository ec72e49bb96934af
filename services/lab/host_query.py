"""The host query of ASTM analyzers: a Q record asks for a specimen's orders; the answer
is an ASTM message (H, P, O per ordered test, L) the listener sends back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.db import system_session
from services.lab.astm import get, records
from services.lab.orders import take_orders_for_specimen


def specimens_asked(text: str) -> list[str]:
    """The specimen ids the Q records of a message ask about (Q-3, `^specimen` or
    `specimen`)."""
    d, parsed = records(text)
    asked = []
    for fields in parsed:
        if fields[0][:1] == "Q":
            specimen = get(d, fields, 3, 2) or get(d, fields, 3, 1)
            if specimen and specimen.upper() != "ALL":
                asked.append(specimen)
    return asked


def answer_query(channel_id: uuid.UUID, tenant_id: uuid.UUID, text: str) -> str:
    """The ASTM message answering the query in `text`: the open orders of each specimen
    asked for (marked sent), or a terminator saying there are none (`L|1|I`)."""
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    lines = [f"H|\\^&|||YANTRA^LIS|||||||P|1|{now}"]
    found = 0
    with system_session() as db:
        for specimen in specimens_asked(text):
            orders = take_orders_for_specimen(db, channel_id, tenant_id, specimen)
            if not orders:
                continue
            found += 1
            first = orders[0]
            name = f"{_clean(first['family_name'])}^{_clean(first['given_name'])}"
            lines.append(f"P|{found}||{_clean(first['patient_identifier'])}||{name}")
            tests = "\\".join(f"^^^{_clean(o['test_code'])}" for o in orders)
            priority = "S" if any(o["priority"] == "S" for o in orders) else "R"
            lines.append(f"O|1|{_clean(specimen)}||{tests}|{priority}||||||A")
    lines.append("L|1|N" if found else "L|1|I")
    return "\r".join(lines) + "\r"


def _clean(value: str) -> str:
    """A value safe inside one ASTM field: delimiters removed (ASTM has no escapes that
    every analyzer reads)."""
    return "".join(ch for ch in str(value) if ch not in "|\\^&\r\n")
