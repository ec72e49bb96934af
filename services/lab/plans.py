"""What a message asks of the lab's tables, worked out without the database: patients to
create or update, orders, and result rows. The writer (`services/lab/writer.py`) then
applies the plans of a whole batch of messages in a few statements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from services.lab import hl7msg
from services.lab.astm import get, records
from services.lab.contact import patient_language, patient_phone
from services.lab.hl7fields import field as hl7_field
from services.lab.hl7fields import first, parse, timestamp
from services.lab.models import LabMessage
from services.lab.results import numeric, reference_limits

CONTROL_STATUS = {"NW": "new", "XO": "new", "RP": "new", "CA": "cancelled", "OC": "cancelled"}
SEXES = ("F", "M", "O", "U", "A", "N")


@dataclass
class Plan:
    """The rows one message writes. Results and orders name their patient by identifier
    and results their order by (placer number, test code); the writer fills in the ids."""

    record: LabMessage
    patients: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    # ASTM results name a specimen; the writer links them to that specimen's order.
    by_specimen: bool = False

    @property
    def result_count(self) -> int:
        return len(self.results)


def patient(
    identifier: str, family="", given="", birth="", sex="", update=False, phone="", language=""
) -> dict | None:
    identifier = identifier.strip()[:80]
    if not identifier:
        return None
    sex = sex[:1].upper()
    return {
        "identifier": identifier,
        "family_name": family[:120],
        "given_name": given[:120],
        "birth_date": birth[:8],
        "sex": sex if sex in SEXES else "",
        "phone": phone,
        "language": language,
        "update": update,
    }


def plan_hl7(record: LabMessage, codes: dict, device_id, senders: dict) -> Plan:
    """The plan of an HL7 message (ORU^R01, ORM^O01, ADT^A01/A08). Raises ValueError or
    `Rejected` saying what is wrong with it."""
    header = hl7msg.read_header(record.raw)
    hl7msg.check(record.raw, header)
    message = parse(record.raw)
    plan = Plan(record)
    pid = first(message, "PID")
    person = patient(
        hl7_field(message, pid, 3) or hl7_field(message, pid, 2),
        hl7_field(message, pid, 5, 1),
        hl7_field(message, pid, 5, 2),
        hl7_field(message, pid, 7),
        hl7_field(message, pid, 8),
        update=header.message_type.startswith("ADT"),
        phone=patient_phone(message, pid),
        language=patient_language(hl7_field(message, pid, 15) or hl7_field(message, pid, 15, 2)),
    )
    if person:
        plan.patients.append(person)
    identifier = person["identifier"] if person else None
    if header.message_type.startswith("ADT"):
        if person is None:
            raise ValueError("PID-3 (patient identifier) is empty")
        return plan
    if header.message_type == "ORM^O01":
        _plan_orm(
            plan, message, identifier, senders.get((record.tenant_id, header.receiving_application))
        )
        return plan
    _plan_oru(plan, message, identifier, codes, device_id)
    return plan


def _plan_orm(plan: Plan, message, identifier, target: uuid.UUID | None) -> None:
    control = "NW"
    for segment in message:
        name = str(segment[0])
        if name == "ORC":
            control = hl7_field(message, segment, 1).upper() or "NW"
        if name != "OBR":
            continue
        placer = hl7_field(message, segment, 2)[:80]
        if not placer:
            raise ValueError("OBR-2 (placer order number) is empty")
        plan.orders.append(
            _order(
                plan.record,
                target,
                identifier,
                placer,
                hl7_field(message, segment, 3),
                hl7_field(message, segment, 3) or placer,
                hl7_field(message, segment, 4),
                hl7_field(message, segment, 4, 2),
                hl7_field(message, segment, 5) or "R",
                CONTROL_STATUS.get(control, "new"),
                timestamp(hl7_field(message, segment, 6)),
            )
        )
    if not plan.orders:
        raise ValueError("the ORM^O01 message has no OBR segment")


def _order(
    record, channel, identifier, placer, filler, specimen, code, name, priority, status, ordered_at
) -> dict:
    return {
        "tenant_id": record.tenant_id,
        "channel_id": channel,
        "patient": identifier,
        "placer_order_number": placer[:80],
        "filler_order_number": filler[:80],
        "specimen_id": specimen[:80],
        "test_code": code[:60],
        "test_name": name[:200],
        "priority": priority[:2],
        "status": status,
        "ordered_at": ordered_at,
        "source_message_id": record.id,
    }


def _plan_oru(plan: Plan, message, identifier, codes: dict, device_id) -> None:
    record, obr, order_key = plan.record, None, None
    for sequence, segment in enumerate(message, start=1):
        name = str(segment[0])
        if name == "OBR":
            obr = segment
            placer = hl7_field(message, obr, 2) or hl7_field(message, obr, 3)
            code = hl7_field(message, obr, 4)
            order_key = (placer[:80], code[:60]) if placer else None
            if order_key:
                filler = hl7_field(message, obr, 3)
                plan.orders.append(
                    _order(
                        record,
                        record.channel_id,
                        identifier,
                        placer,
                        filler,
                        filler or placer,
                        code,
                        hl7_field(message, obr, 4, 2),
                        "R",
                        "resulted",
                        timestamp(hl7_field(message, obr, 7)),
                    )
                )
        if name != "OBX":
            continue
        code = hl7_field(message, segment, 3, 1)
        if not code:
            raise ValueError(f"OBX-3 (observation identifier) is empty in segment {sequence}")
        coding = hl7_field(message, segment, 3, 3).upper()
        known = codes.get(code)
        plan.results.append(
            result_row(
                record,
                device_id,
                identifier,
                order_key,
                sequence,
                code,
                loinc=code if coding in ("LN", "LOINC") else None,
                name=hl7_field(message, segment, 3, 2),
                value=hl7_field(message, segment, 5),
                units=hl7_field(message, segment, 6),
                reference=hl7_field(message, segment, 7),
                flag=hl7_field(message, segment, 8),
                status=hl7_field(message, segment, 11),
                observed=timestamp(hl7_field(message, segment, 14))
                or timestamp(hl7_field(message, obr, 7)),
                known=known,
            )
        )
    if not plan.results:
        raise ValueError("the message has no OBX segment")


def result_row(
    record,
    device_id,
    identifier,
    order_key,
    sequence,
    code,
    *,
    loinc,
    name,
    value,
    units,
    reference,
    flag,
    status,
    observed,
    known,
) -> dict:
    """One result row, the channel's test code filling what the message left out."""
    low, high = reference_limits(reference)
    if known and not reference:
        reference, low, high = known.reference_text, known.reference_low, known.reference_high
    return {
        "tenant_id": record.tenant_id,
        "message_id": record.id,
        "channel_id": record.channel_id,
        "device_id": device_id,
        "patient": identifier,
        "order": order_key,
        "sequence": sequence,
        "analyzer_code": code[:60],
        "loinc": (loinc or (known.loinc if known else ""))[:20],
        "name": (name or (known.name if known else ""))[:200],
        "value": value,
        "value_numeric": numeric(value),
        "units": (units or (known.units if known else ""))[:40],
        "reference_range": reference[:80],
        "reference_low": low,
        "reference_high": high,
        "abnormal_flag": flag[:10],
        "result_status": (status or "F")[:2],
        "observed_at": observed,
    }


def plan_astm(record: LabMessage, codes: dict, device_id) -> Plan:
    """The plan of an ASTM E1394 message: its P records as patients, each R record as a
    result under the specimen of the O record before it. Raises ValueError."""
    d, parsed = records(record.raw)
    plan = Plan(record, by_specimen=True)
    identifier = specimen = None
    for sequence, fields in enumerate(parsed, start=1):
        kind = fields[0][:1]
        if kind == "P":
            person = patient(
                get(d, fields, 3) or get(d, fields, 4) or get(d, fields, 5),
                get(d, fields, 6, 1),
                get(d, fields, 6, 2),
                get(d, fields, 8),
                get(d, fields, 9),
            )
            identifier = person["identifier"] if person else None
            if person:
                plan.patients.append(person)
        elif kind == "O":
            specimen = get(d, fields, 3) or get(d, fields, 4)
        elif kind == "R":
            _astm_result(plan, d, fields, sequence, identifier, specimen, codes, device_id)
    return plan


def _astm_result(plan, d, fields, sequence, identifier, specimen, codes, device_id) -> None:
    # R-3 is the universal test id `^^^code`: the analyzer's code is its fourth component.
    code = get(d, fields, 3, 4) or get(d, fields, 3, 1)
    if not code:
        raise ValueError(f"R record {sequence} has no test code (R-3)")
    record = plan.record
    order_key = (specimen[:80], code[:60]) if specimen else None
    if order_key:
        plan.orders.append(
            _order(
                record,
                record.channel_id,
                identifier,
                specimen,
                "",
                specimen,
                code,
                "",
                "R",
                "resulted",
                None,
            )
        )
    plan.results.append(
        result_row(
            record,
            device_id,
            identifier,
            order_key,
            sequence,
            code,
            loinc=None,
            name="",
            value=get(d, fields, 4),
            units=get(d, fields, 5),
            reference=get(d, fields, 6).replace(" to ", "-"),
            flag=get(d, fields, 7),
            status=get(d, fields, 9),
            observed=timestamp(get(d, fields, 13)),
            known=codes.get(code),
        )
    )
